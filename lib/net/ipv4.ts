/**
 * IPv4 address text checks shared by the server, the responder and the CLI.
 *
 * @module
 */

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether `value` is a dotted-quad IPv4 address.
 *
 * @param value The text to check.
 * @returns `true` for `a.b.c.d` with each part 0-255 and no leading zeros.
 *
 * @example
 * ```ts
 * import { isIpv4 } from "./ipv4.ts";
 * if (!isIpv4("192.168.2.1") || isIpv4("192.168.2.300")) throw new Error();
 * ```
 */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}
