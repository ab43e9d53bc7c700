/**
 * MAC (hardware) addresses: the one rule for what text is a MAC, and the
 * conversions between text and bytes that every layer uses (the codec's
 * chaddr, the NATS wire format, reservation keys, the command line).
 *
 * The rule, as Go's `net.ParseMAC` writes it minus the dotted form:
 *
 * - octets of exactly two hex digits, either case (`08`, `4E`);
 * - separated all by `:` or all by `-`, never mixed (`08:00:27:29:4e:67`,
 *   `08-00-27-29-4E-67`);
 * - 6 to 20 octets (EUI-48, EUI-64, 20-octet IP over InfiniBand).
 *
 * Refused: one-digit octets (`8:0:27:29:4e:67`), bare hex
 * (`080027294e67`, which is also valid base64 and so ambiguous on the
 * wire), Cisco's dotted form (`0800.2729.4e67`), spaces. The normal form is
 * lower-case colon hex. A DHCP chaddr follows the same syntax with any
 * length the packet allows ({@linkcode parseHardwareAddress}).
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { formatHex, hexDigitValue } from "../bytes/hex.ts";

/** Fewest octets in a MAC address (EUI-48). */
export const MAC_MIN_OCTETS = 6;
/** Most octets in a MAC address (a 20-octet IP-over-InfiniBand address). */
export const MAC_MAX_OCTETS = 20;

const COLON = 58;
const DASH = 45;

/**
 * Scan `text` under the rule, writing the octets into `out` when given.
 *
 * @returns The number of octets, or -1 when `text` breaks the rule or has
 * more than `max` octets.
 */
function scan(text: string, max: number, out?: Uint8Array): number {
  const length = text.length;
  if (length % 3 !== 2 || (length + 1) / 3 > max) return -1;
  const sep = length > 2 ? text.charCodeAt(2) : COLON;
  if (sep !== COLON && sep !== DASH) return -1;
  for (let pos = 0, n = 0; pos < length; pos += 3, n++) {
    const hi = hexDigitValue(text.charCodeAt(pos));
    const lo = hexDigitValue(text.charCodeAt(pos + 1));
    if (hi < 0 || lo < 0) return -1;
    if (pos + 2 < length && text.charCodeAt(pos + 2) !== sep) return -1;
    if (out !== undefined) out[n] = (hi << 4) | lo;
  }
  return (length + 1) / 3;
}

/** Whether `text` is already lower-case colon hex (no copy needed). */
function isNormal(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2 ? c !== COLON : c >= 65 && c <= 70) return false;
  }
  return true;
}

function notMac(
  text: string,
  min = MAC_MIN_OCTETS,
  max = MAC_MAX_OCTETS,
  noun = "MAC address",
): TypeError {
  const count = max === Infinity ? "" : `${min} to ${max} `;
  return new TypeError(
    `Cannot parse ${noun} ${
      JSON.stringify(text)
    }: want ${count}hex pairs separated by ':' or '-', like 08:00:27:29:4e:67`,
  );
}

/** The octets of `text`, `min` to `max` of them, or a TypeError. */
function octets(
  text: string,
  min: number,
  max: number,
  noun: string,
): Uint8Array {
  const n = (text.length + 1) / 3;
  if (n < min || n > max || !Number.isInteger(n)) {
    throw notMac(text, min, max, noun);
  }
  const out = allocBytes(n);
  if (scan(text, max, out) < 0) throw notMac(text, min, max, noun);
  return out;
}

/**
 * Whether `text` is a MAC address under the module's rule.
 *
 * @param text The address as written.
 * @returns `true` for 6 to 20 hex pairs separated consistently by `:` or `-`.
 * @example
 * ```ts
 * import { isMac } from "./mac.ts";
 * if (!isMac("08-00-27-29-4E-67") || isMac("0800.2729.4e67")) throw new Error();
 * ```
 */
export function isMac(text: string): boolean {
  return scan(text, MAC_MAX_OCTETS) >= MAC_MIN_OCTETS;
}

/**
 * The bytes of a MAC address.
 *
 * @param text For example `08:00:27:29:4e:67` or `08-00-27-29-4E-67`.
 * @returns 6 to 20 bytes.
 * @throws {TypeError} When `text` is not a MAC address.
 * @example
 * ```ts
 * import { parseMac } from "./mac.ts";
 * if (parseMac("08:00:27:29:4e:67")[2] !== 0x27) throw new Error();
 * ```
 */
export function parseMac(text: string): Uint8Array {
  return octets(text, MAC_MIN_OCTETS, MAC_MAX_OCTETS, "MAC address");
}

/**
 * The bytes of a hardware address (a DHCP chaddr): the MAC syntax with any
 * number of octets, the empty string for none. The caller bounds the length
 * (the codec's chaddr field holds 16).
 *
 * @param text For example `52:54:00:12:34:56`, or `""`.
 * @returns The bytes.
 * @throws {TypeError} When `text` is not hex pairs separated by `:` or `-`.
 * @example
 * ```ts
 * import { parseHardwareAddress } from "./mac.ts";
 * if (parseHardwareAddress("01:02").length !== 2) throw new Error();
 * ```
 */
export function parseHardwareAddress(text: string): Uint8Array {
  if (text === "") return allocBytes(0);
  return octets(text, 1, Infinity, "hardware address");
}

/**
 * Lower-case colon hex of address bytes.
 *
 * @param bytes The address.
 * @returns For example `08:00:27:29:4e:67`; `""` for no bytes.
 * @example
 * ```ts
 * import { formatMac } from "./mac.ts";
 * if (formatMac(Uint8Array.of(8, 0, 0x27)) !== "08:00:27") throw new Error();
 * ```
 */
export function formatMac(bytes: Uint8Array): string {
  return formatHex(bytes, 0, bytes.length);
}

/**
 * Normalise a MAC address to lower-case colon form, as reservation keys
 * and lookups use it.
 *
 * @param text The address as written, for example `08-00-27-29-4E-67`.
 * @returns The address as `08:00:27:29:4e:67` (`text` itself when already
 * in that form), or `undefined` when `text` is not a MAC address.
 *
 * @example
 * ```ts
 * import { normalizeMac } from "./mac.ts";
 * if (normalizeMac("08-00-27-29-4E-67") !== "08:00:27:29:4e:67") throw new Error();
 * ```
 */
export function normalizeMac(text: string): string | undefined {
  if (scan(text, MAC_MAX_OCTETS) < MAC_MIN_OCTETS) return undefined;
  return isNormal(text) ? text : text.toLowerCase().replaceAll("-", ":");
}

/**
 * Like {@linkcode normalizeMac}, but throws on a bad address.
 *
 * @param text The address as written.
 * @returns Lower-case colon hex.
 * @throws {TypeError} When `text` is not a MAC address.
 * @example
 * ```ts
 * import { canonicalMac } from "./mac.ts";
 * if (canonicalMac("AA-BB-CC-DD-EE-FF") !== "aa:bb:cc:dd:ee:ff") throw new Error();
 * ```
 */
export function canonicalMac(text: string): string {
  const normal = normalizeMac(text);
  if (normal === undefined) throw notMac(text);
  return normal;
}

/**
 * The key of a MAC address in a NATS key-value bucket: lower-case hex with
 * `-` separators (NATS KV keys cannot hold `:`). {@linkcode normalizeMac}
 * turns a key back into the colon form.
 *
 * @param text The address as written, for example `08:00:27:29:4E:67`.
 * @returns The key, for example `08-00-27-29-4e-67`, or `undefined` when
 * `text` is not a hardware address.
 *
 * @example
 * ```ts
 * import { macToKvKey } from "./mac.ts";
 * if (macToKvKey("08:00:27:29:4E:67") !== "08-00-27-29-4e-67") throw new Error();
 * ```
 */
export function macToKvKey(text: string): string | undefined {
  return normalizeMac(text)?.replaceAll(":", "-");
}
