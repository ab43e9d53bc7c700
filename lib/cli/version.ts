/**
 * The version of dhcp-nats, from `deno.json`, and what `--version` prints.
 * `deno.json` is imported as JSON, so the bundle and the compiled binary
 * carry the version without reading the checkout.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The version of dhcp-nats: the `version` field of `deno.json`. */
export const VERSION: string = denoJson.version;

/**
 * The text of `dhcp-nats --version`: our version and the Deno and V8
 * versions it runs on, one per line.
 *
 * @param runtime The runtime's versions (`Deno.version` when omitted).
 * @returns For example `dhcp-nats 0.1.0\ndeno 2.9.6\nv8 15.0.245.2-rusty`.
 *
 * @example
 * ```ts
 * import { versionText } from "./version.ts";
 * const text = versionText({ deno: "2.9.6", v8: "15.0" });
 * if (!text.startsWith("dhcp-nats ")) throw new Error(text);
 * ```
 */
export function versionText(
  runtime: { deno: string; v8: string } = Deno.version,
): string {
  return `dhcp-nats ${VERSION}\ndeno ${runtime.deno}\nv8 ${runtime.v8}`;
}
