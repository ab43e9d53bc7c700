/**
 * IPv4 addresses: the one rule for what text is an IPv4 address, and the
 * conversions between dotted quads, bytes and numbers that the codec, the
 * NATS wire format, the responder and the CLI use.
 *
 * The rule: four decimal parts `a.b.c.d`, each 0 to 255, written without
 * leading zeros (`0` itself is fine). `010.0.0.1` is refused, as Go's
 * `net.ParseIP` (since Go 1.17) and `inet_pton` refuse it: other parsers
 * read a leading zero as octal, so the same text would name two addresses.
 * No spaces, signs, shorthand (`10.1`) or trailing dot.
 *
 * @module
 */

/**
 * The address in `text` as an unsigned 32-bit number (`a` in the high
 * byte), or -1 when `text` is not an IPv4 address. A scan without
 * allocation: it runs for every address of every reply.
 *
 * @param text The address as written.
 * @returns 0 to 2^32-1, or -1.
 * @example
 * ```ts
 * import { ipv4ToNumber } from "./ipv4.ts";
 * if (ipv4ToNumber("10.0.0.1") !== 0x0a000001) throw new Error();
 * if (ipv4ToNumber("010.0.0.1") !== -1) throw new Error();
 * ```
 */
export function ipv4ToNumber(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
    const start = i;
    let octet = 0;
    for (; i < length && i - start < 3; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + c - 48;
    }
    const digits = i - start;
    if (digits === 0 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(start) === 48) return -1; // leading 0
    value = value * 256 + octet;
  }
  return i === length ? value : -1;
}

/**
 * Whether `text` is an IPv4 address under the module's rule.
 *
 * @param text The text to check.
 * @returns `true` for `a.b.c.d` with each part 0-255 and no leading zeros.
 *
 * @example
 * ```ts
 * import { isIpv4 } from "./ipv4.ts";
 * if (!isIpv4("192.168.2.1") || isIpv4("192.168.2.300")) throw new Error();
 * ```
 */
export function isIpv4(text: string): boolean {
  return ipv4ToNumber(text) >= 0;
}

/**
 * Whether `text` is a subnet mask: an IPv4 address whose one bits are
 * contiguous from the top (`255.255.255.0`, `0.0.0.0`, `255.255.255.255`).
 *
 * @param text The text to check.
 * @returns `true` for a mask.
 * @example
 * ```ts
 * import { isIpv4Mask } from "./ipv4.ts";
 * if (!isIpv4Mask("255.255.252.0") || isIpv4Mask("255.0.255.0")) throw new Error();
 * ```
 */
export function isIpv4Mask(text: string): boolean {
  const value = ipv4ToNumber(text);
  if (value < 0) return false;
  const hostBits = ~value >>> 0;
  return (hostBits & (hostBits + 1)) === 0;
}

/**
 * Write an IPv4 address as four bytes.
 *
 * @param text For example `192.168.1.10`.
 * @param buf Destination.
 * @param at Offset of the first byte.
 * @throws {TypeError} When `text` is not an IPv4 address.
 * @example
 * ```ts
 * import { writeIpv4 } from "./ipv4.ts";
 * const buf = new Uint8Array(4);
 * writeIpv4("192.168.1.10", buf, 0);
 * if (buf[3] !== 10) throw new Error();
 * ```
 */
export function writeIpv4(text: string, buf: Uint8Array, at: number): void {
  const value = ipv4ToNumber(text);
  if (value < 0) {
    throw new TypeError(
      `Cannot encode IPv4 address ${
        JSON.stringify(text)
      }: not a dotted quad (0-255 each, no leading zeros)`,
    );
  }
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}

/**
 * Format four bytes as a dotted quad.
 *
 * @param buf The bytes.
 * @param at Offset of the first byte.
 * @returns For example `192.168.1.10`.
 * @example
 * ```ts
 * import { formatIpv4 } from "./ipv4.ts";
 * if (formatIpv4(Uint8Array.of(0, 10, 0, 0, 1), 1) !== "10.0.0.1") throw new Error();
 * ```
 */
export function formatIpv4(buf: Uint8Array, at: number): string {
  if ((buf[at] | buf[at + 1] | buf[at + 2] | buf[at + 3]) === 0) {
    return "0.0.0.0";
  }
  return buf[at] + "." + buf[at + 1] + "." + buf[at + 2] + "." + buf[at + 3];
}

/**
 * Format an unsigned 32-bit number as a dotted quad.
 *
 * @param value 0 to 2^32-1 (`a` in the high byte); other numbers are taken
 * modulo 2^32.
 * @returns For example `10.0.0.1`.
 * @example
 * ```ts
 * import { ipv4FromNumber } from "./ipv4.ts";
 * if (ipv4FromNumber(0x0a000001) !== "10.0.0.1") throw new Error();
 * ```
 */
export function ipv4FromNumber(value: number): string {
  return (value >>> 24) + "." + ((value >>> 16) & 0xff) + "." +
    ((value >>> 8) & 0xff) + "." + (value & 0xff);
}

/** An IPv4 network or route destination in CIDR notation. */
export interface Ipv4Cidr {
  /** The address part, a dotted quad. */
  address: string;
  /** The prefix length, 0 to 32. */
  prefixLength: number;
}

/**
 * Parse `a.b.c.d/n`: an IPv4 address under the module's rule, a slash and
 * a prefix length of 0 to 32 (no leading zeros).
 *
 * @param text For example `10.0.0.0/8`.
 * @returns The parts, or `undefined` when `text` is not that.
 * @example
 * ```ts
 * import { parseIpv4Cidr } from "./ipv4.ts";
 * if (parseIpv4Cidr("10.0.0.0/8")?.prefixLength !== 8) throw new Error();
 * if (parseIpv4Cidr("10.0.0.0/33") !== undefined) throw new Error();
 * ```
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^(?:[12]?\d|3[0-2])$/.test(prefix) || !isIpv4(address)) {
    return undefined;
  }
  return { address, prefixLength: Number(prefix) };
}
