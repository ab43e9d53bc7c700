/**
 * `deno task compile [--target TARGET]`: the one definition of the
 * `deno compile` command line, used by developers and by the release
 * workflow alike. It builds `dist/dhcp-nats`, or `dist/dhcp-nats-TARGET`
 * for a `--target` (a Rust target triple `deno compile` knows, such as
 * `aarch64-apple-darwin`). `--print` prints the command instead of running
 * it.
 *
 * Deno downloads its runtime for the target on first use.
 *
 * @module
 */

/**
 * The permissions the binary is compiled with, each with what it is for.
 * The README's "Install" section has the same table.
 */
export const PERMISSIONS: Readonly<Record<string, string>> = {
  "--allow-net":
    "NATS connections, the DHCP and metrics sockets, the embedded NATS server, `probe`",
  "--allow-read": "the reservations file, NATS credentials, NKey and TLS files",
  "--allow-env": "the `DHCP_NATS_*` variables (and `NATS_URL`)",
  "--allow-ffi":
    "the DHCP socket on Linux (batched `recvmmsg`; without it `node:dgram`), `--interface`",
  "--allow-sys":
    "the network interfaces (server identifier when `--server-ip` is unset)",
};

/**
 * The arguments of `deno compile` (after `deno`).
 *
 * @param target A `deno compile --target`; the host's when omitted.
 * @returns For example `["compile", "--allow-net", ..., "--output", "dist/dhcp-nats", "main.ts"]`.
 *
 * @example
 * ```ts
 * import { compileArgs } from "./compile.ts";
 * const args = compileArgs("aarch64-apple-darwin");
 * if (!args.includes("dist/dhcp-nats-aarch64-apple-darwin")) throw new Error();
 * ```
 */
export function compileArgs(target?: string): string[] {
  const output = target === undefined
    ? "dist/dhcp-nats"
    : `dist/dhcp-nats-${target}`;
  return [
    "compile",
    ...Object.keys(PERMISSIONS),
    ...(target === undefined ? [] : ["--target", target]),
    // The reservations reader's Worker: not found by the module graph.
    "--include",
    "lib/responder/_reader_worker.ts",
    "--output",
    output,
    "main.ts",
  ];
}

function usage(message: string): never {
  console.error(
    `compile: ${message}\nUsage: deno task compile [--target TARGET] [--print]`,
  );
  Deno.exit(2);
}

if (import.meta.main) {
  let target: string | undefined;
  let print = false;
  const args = [...Deno.args];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === "--print") print = true;
    else if (arg === "--target" && args.length > 0) target = args.shift();
    else if (arg.startsWith("--target=")) target = arg.slice(9);
    else usage(`unexpected argument "${arg}"`);
  }
  const argv = compileArgs(target);
  if (print) {
    console.log(["deno", ...argv].join(" "));
    Deno.exit(0);
  }
  const root = new URL("..", import.meta.url);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: argv,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}
