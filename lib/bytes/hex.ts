/**
 * Hex of bytes and numbers: one lookup table for the codec, MAC addresses
 * and trace ids, and the one reader of hex digits.
 *
 * @module
 */

import { allocBytes } from "./alloc.ts";

/** Two lower-case hex digits for each byte value, `HEX_BYTES[0x2a] === "2a"`. */
export const HEX_BYTES: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/**
 * Formats bytes as lower-case colon hex, e.g. `52:54:00:12:34:56`.
 *
 * @param buf The bytes.
 * @param at Offset of the first byte.
 * @param length How many bytes.
 * @returns Colon hex, or `""` when `length` is 0.
 * @example
 * ```ts
 * import { formatHex } from "./hex.ts";
 * if (formatHex(Uint8Array.of(8, 0, 0x27), 0, 3) !== "08:00:27") throw new Error();
 * ```
 */
export function formatHex(buf: Uint8Array, at: number, length: number): string {
  if (length === 0) return "";
  let s = HEX_BYTES[buf[at]];
  for (let i = 1; i < length; i++) s += ":" + HEX_BYTES[buf[at + i]];
  return s;
}

/**
 * Lower-case hex of bytes without separators, e.g. `63825363`.
 *
 * @param bytes The bytes.
 * @returns Two digits per byte, `""` for none.
 * @example
 * ```ts
 * import { encodeHex } from "./hex.ts";
 * if (encodeHex(Uint8Array.of(0x63, 0x82)) !== "6382") throw new Error();
 * ```
 */
export function encodeHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTES[bytes[i]];
  return s;
}

/**
 * The value of one hex digit.
 *
 * @param code A character code.
 * @returns 0 to 15, or -1 when `code` is not a hex digit (either case).
 * @example
 * ```ts
 * import { hexDigitValue } from "./hex.ts";
 * if (hexDigitValue("F".charCodeAt(0)) !== 15) throw new Error();
 * ```
 */
export function hexDigitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Bytes of hex text without separators, either case.
 *
 * @param text An even number of hex digits, e.g. `63825363`.
 * @returns The bytes, in pooled memory.
 * @throws {TypeError} When `text` is not that.
 * @example
 * ```ts
 * import { decodeHex } from "./hex.ts";
 * if (decodeHex("6382FF")[2] !== 0xff) throw new Error();
 * ```
 */
export function decodeHex(text: string): Uint8Array {
  const bad = () =>
    new TypeError(
      `Cannot decode hex ${
        JSON.stringify(text)
      }: want an even number of hex digits`,
    );
  if (text.length % 2 !== 0) throw bad();
  const out = allocBytes(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(text.charCodeAt(2 * i));
    const lo = hexDigitValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw bad();
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Lower-case hex of a whole number, zero-padded to `digits`.
 *
 * @param value A non-negative whole number.
 * @param digits Fewest digits.
 * @returns For example `hexNumber(0x2a, 4) === "002a"`.
 * @example
 * ```ts
 * import { hexNumber } from "./hex.ts";
 * if (hexNumber(0x2a, 4) !== "002a") throw new Error();
 * ```
 */
export function hexNumber(value: number, digits = 1): string {
  return value.toString(16).padStart(digits, "0");
}
