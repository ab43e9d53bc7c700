/**
 * The V8 heap settings of the DHCP server process, chosen from measurement
 * (bench/README.md, issue 18). V8 reads them only when the process starts
 * (Deno freezes its flags: `node:v8` `setFlagsFromString` at run time
 * changes nothing), so they are given where the DHCP role is started:
 * `deno run --v8-flags=...`, `DENO_V8_FLAGS` in
 * `examples/systemd/dhcp-nats.service`, and the DORA ladder's server.
 *
 * - `--max-semi-space-size=4` (MB; V8's default grows to 16): the young
 *   generation, where each packet's garbage dies, stays at a quarter of its
 *   default size. (8 MB cost less CPU under sustained overload but peaked
 *   10-40 MiB higher at 4,000-6,000/s.)
 * - `--heap-growing-percent=25`: the next major collection comes when the
 *   old generation has grown by a quarter over what survived the last one,
 *   instead of up to four times: under overload, requests waiting for their
 *   lookup survive scavenges and their garbage fills the old generation.
 *   No hard limit (`--max-old-space-size` would crash a server whose live
 *   set outgrows it).
 *
 * @module
 */

/** The V8 flags for the DHCP server process. */
export const DHCP_SERVER_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=4",
  "--heap-growing-percent=25",
];

/**
 * The flags as `deno run --v8-flags=` and `DENO_V8_FLAGS` take them.
 *
 * @returns For example `--max-semi-space-size=4,--heap-growing-percent=25`.
 * @example
 * ```ts
 * import { dhcpServerV8Flags } from "./v8_flags.ts";
 * if (!dhcpServerV8Flags().startsWith("--")) throw new Error();
 * ```
 */
export function dhcpServerV8Flags(): string {
  return DHCP_SERVER_V8_FLAGS.join(",");
}
