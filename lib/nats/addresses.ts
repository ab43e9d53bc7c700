/**
 * Address conversions between this project's text forms (lower-case colon
 * MACs, dotted quads) and what Go puts on the wire (base64 byte slices).
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { formatHex } from "../bytes/hex.ts";
import { decodeBase64, encodeBase64 } from "../cloudevents/_base64.ts";

const HEX_MAC = /^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2})*$/;
const CANONICAL_MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/**
 * Bytes of a hardware address in colon (or dash) hex form.
 *
 * @param mac For example `08:00:27:29:4e:67`.
 * @throws {TypeError} When `mac` is not colon or dash hex.
 * @example
 * ```ts
 * import { macToBytes } from "./addresses.ts";
 * if (macToBytes("08:00:27:29:4e:67").length !== 6) throw new Error();
 * ```
 */
export function macToBytes(mac: string): Uint8Array {
  // A hand-written scan (this runs for every lookup): groups of one or two
  // hex digits separated by ":" or "-", at least two groups.
  const out = allocBytes(Math.ceil((mac.length + 1) / 2));
  let length = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= mac.length; i++) {
    const c = i < mac.length ? mac.charCodeAt(i) : -1;
    const v = c >= 48 && c <= 57
      ? c - 48
      : c >= 97 && c <= 102
      ? c - 87
      : c >= 65 && c <= 70
      ? c - 55
      : -1;
    if (v >= 0 && digits < 2) {
      value = value * 16 + v;
      digits++;
    } else if ((c === 58 || c === 45 || c === -1) && digits > 0) {
      out[length++] = value;
      value = 0;
      digits = 0;
    } else {
      throw new TypeError(
        `Cannot parse MAC address ${JSON.stringify(mac)}: want colon hex`,
      );
    }
  }
  if (length < 2) {
    throw new TypeError(
      `Cannot parse MAC address ${JSON.stringify(mac)}: want colon hex`,
    );
  }
  return out.subarray(0, length);
}

/**
 * Lower-case colon hex of hardware address bytes.
 *
 * @example
 * ```ts
 * import { bytesToMac } from "./addresses.ts";
 * if (bytesToMac(new Uint8Array([8, 0, 0x27])) !== "08:00:27") throw new Error();
 * ```
 */
export function bytesToMac(bytes: Uint8Array): string {
  return formatHex(bytes, 0, bytes.length);
}

/**
 * Base64 of a MAC's raw bytes, as Go encodes `net.HardwareAddr` in JSON.
 *
 * @throws {TypeError} When `mac` is not colon hex.
 * @example
 * ```ts
 * import { macToBase64 } from "./addresses.ts";
 * if (macToBase64("08:00:27:29:4e:67") !== "CAAnKU5n") throw new Error();
 * ```
 */
export function macToBase64(mac: string): string {
  return encodeBase64(macToBytes(mac));
}

/**
 * Read a MAC in colon/dash hex or base64 of its bytes into lower-case colon
 * hex.
 *
 * @throws {TypeError} When it is neither.
 * @example
 * ```ts
 * import { parseMac } from "./addresses.ts";
 * if (parseMac("CAAnKU5n") !== "08:00:27:29:4e:67") throw new Error();
 * if (parseMac("08-00-27-29-4E-67") !== "08:00:27:29:4e:67") throw new Error();
 * ```
 */
export function parseMac(text: string): string {
  if (CANONICAL_MAC.test(text)) return text;
  if (/[:-]/.test(text) && HEX_MAC.test(text)) {
    return bytesToMac(macToBytes(text));
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (cause) {
    throw new TypeError(
      `Cannot parse MAC address ${
        JSON.stringify(text)
      }: want colon hex or base64`,
      { cause },
    );
  }
  if (bytes.length === 0 || bytes.length > 20) {
    throw new TypeError(
      `Cannot parse MAC address ${
        JSON.stringify(text)
      }: base64 of ${bytes.length} bytes, want 1 to 20`,
    );
  }
  return bytesToMac(bytes);
}

/**
 * Whether `text` is an IPv4 address in dotted-quad form.
 *
 * @example
 * ```ts
 * import { isIPv4 } from "./addresses.ts";
 * if (!isIPv4("192.168.2.1") || isIPv4("300.1.1.1")) throw new Error();
 * ```
 */
export function isIPv4(text: string): boolean {
  // A hand-written scan: this runs for every address of every reply.
  let octets = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46 && digits > 0 && octets < 3) {
      octets++;
      digits = 0;
      value = 0;
    } else {
      return false;
    }
  }
  return octets === 3 && digits > 0;
}

/**
 * Read a subnet mask, dotted or base64 of 4 bytes (or 16 bytes whose first 12
 * are all `0xff` or all `0`, an IPv4 mask in IPv6 length), into dotted form.
 *
 * @throws {TypeError} When it is neither.
 * @example
 * ```ts
 * import { parseMask } from "./addresses.ts";
 * if (parseMask("////AA==") !== "255.255.255.0") throw new Error();
 * ```
 */
export function parseMask(text: string): string {
  if (isIPv4(text)) return text;
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (cause) {
    throw new TypeError(
      `Cannot parse subnet mask ${
        JSON.stringify(text)
      }: want dotted quad or base64`,
      { cause },
    );
  }
  const head = bytes.subarray(0, 12);
  if (
    bytes.length === 16 &&
    (head.every((b) => b === 0xff) || head.every((b) => b === 0))
  ) {
    bytes = bytes.subarray(12);
  }
  if (bytes.length !== 4) {
    throw new TypeError(
      `Cannot parse subnet mask ${
        JSON.stringify(text)
      }: base64 of ${bytes.length} bytes, want 4 or 16`,
    );
  }
  return Array.from(bytes).join(".");
}
