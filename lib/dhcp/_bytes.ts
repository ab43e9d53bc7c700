/**
 * Private: the codec's NUL-terminated text fields (sname, file).
 *
 * @module
 */

import { decodeUtf8 } from "../bytes/utf8.ts";

/**
 * Decodes a NUL-terminated UTF-8 field (sname, file).
 *
 * @param buf The bytes.
 * @param start First byte of the field.
 * @param end End of the field (exclusive).
 * @returns The text before the first NUL.
 */
export function decodeCString(
  buf: Uint8Array,
  start: number,
  end: number,
): string {
  if (buf[start] === 0) return "";
  let stop = start + 1;
  while (stop < end && buf[stop] !== 0) stop++;
  return decodeUtf8(buf, start, stop);
}
