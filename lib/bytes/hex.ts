/**
 * Lower-case hex of bytes: one lookup table for the codec, MAC addresses
 * and trace ids.
 *
 * @module
 */

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
