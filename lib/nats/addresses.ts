/**
 * Address conversions between this project's text forms (lower-case colon
 * MACs, dotted quads; the rules are lib/net's) and what Go puts on the wire
 * (base64 byte slices).
 *
 * @module
 */

import { decodeBase64, encodeBase64 } from "../bytes/base64.ts";
import { formatIpv4, isIpv4 } from "../net/ipv4.ts";
import {
  formatMac,
  MAC_MAX_OCTETS,
  MAC_MIN_OCTETS,
  normalizeMac,
  parseMac,
} from "../net/mac.ts";

/**
 * Base64 of a MAC's raw bytes, as Go encodes `net.HardwareAddr` in JSON.
 *
 * @param mac A MAC address, for example `08:00:27:29:4e:67`.
 * @returns Standard padded base64.
 * @throws {TypeError} When `mac` is not a MAC address.
 * @example
 * ```ts
 * import { macToBase64 } from "./addresses.ts";
 * if (macToBase64("08:00:27:29:4e:67") !== "CAAnKU5n") throw new Error();
 * ```
 */
export function macToBase64(mac: string): string {
  return encodeBase64(parseMac(mac));
}

/**
 * Read a MAC from the wire, as colon/dash hex or base64 of its bytes, into
 * lower-case colon hex.
 *
 * @param text The field's value.
 * @returns Lower-case colon hex.
 * @throws {TypeError} When it is neither, or not 6 to 20 bytes.
 * @example
 * ```ts
 * import { parseWireMac } from "./addresses.ts";
 * if (parseWireMac("CAAnKU5n") !== "08:00:27:29:4e:67") throw new Error();
 * if (parseWireMac("08-00-27-29-4E-67") !== "08:00:27:29:4e:67") throw new Error();
 * ```
 */
export function parseWireMac(text: string): string {
  const hex = normalizeMac(text);
  if (hex !== undefined) return hex;
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
  if (bytes.length < MAC_MIN_OCTETS || bytes.length > MAC_MAX_OCTETS) {
    throw new TypeError(
      `Cannot parse MAC address ${
        JSON.stringify(text)
      }: base64 of ${bytes.length} bytes, want ${MAC_MIN_OCTETS} to ${MAC_MAX_OCTETS}`,
    );
  }
  return formatMac(bytes);
}

/**
 * Read a subnet mask, dotted or base64 of 4 bytes (or 16 bytes whose first 12
 * are all `0xff` or all `0`, an IPv4 mask in IPv6 length), into dotted form.
 *
 * @param text The field's value.
 * @returns A dotted quad.
 * @throws {TypeError} When it is neither.
 * @example
 * ```ts
 * import { parseMask } from "./addresses.ts";
 * if (parseMask("////AA==") !== "255.255.255.0") throw new Error();
 * ```
 */
export function parseMask(text: string): string {
  if (isIpv4(text)) return text;
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
  return formatIpv4(bytes, 0);
}
