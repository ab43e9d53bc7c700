/**
 * Private byte helpers shared by the codec: dotted quads, colon hex and
 * text, all without intermediate allocations where it matters.
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";

/** Shared UTF-8 encoder. */
export const utf8Encoder: TextEncoder = new TextEncoder();
/** Shared lenient UTF-8 decoder (bad bytes become U+FFFD). */
export const utf8Decoder: TextDecoder = new TextDecoder();

/**
 * Formats four bytes as a dotted quad.
 *
 * @param buf The bytes.
 * @param at Offset of the first byte.
 * @returns For example `192.168.1.10`.
 */
export function formatIp(buf: Uint8Array, at: number): string {
  if ((buf[at] | buf[at + 1] | buf[at + 2] | buf[at + 3]) === 0) {
    return "0.0.0.0";
  }
  return buf[at] + "." + buf[at + 1] + "." + buf[at + 2] + "." + buf[at + 3];
}

/**
 * Writes a dotted quad as four bytes.
 *
 * @param ip For example `192.168.1.10`.
 * @param buf Destination.
 * @param at Offset of the first byte.
 * @throws {TypeError} When `ip` is not a dotted quad.
 */
export function writeIp(ip: string, buf: Uint8Array, at: number): void {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) break;
      buf[at + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + c - 48;
      digits++;
      if (value > 255) break;
    } else {
      break;
    }
    if (i === ip.length && part === 4) return;
  }
  throw new TypeError(
    `Cannot encode IPv4 address ${JSON.stringify(ip)}: not a dotted quad`,
  );
}

/**
 * Parses colon (or dash) separated hex bytes, e.g. a MAC address.
 *
 * @param text For example `52:54:00:12:34:56`; `""` gives no bytes.
 * @returns The bytes.
 * @throws {TypeError} When `text` is not colon hex.
 */
export function parseHex(text: string): Uint8Array {
  if (text === "") return allocBytes(0);
  const out = allocBytes((text.length + 1) / 3 | 0);
  let n = 0;
  let pos = 0;
  for (;;) {
    const hi = hexValue(text.charCodeAt(pos));
    const lo = hexValue(text.charCodeAt(pos + 1));
    const sep = pos + 2 === text.length ? 58 : text.charCodeAt(pos + 2);
    if (hi < 0 || lo < 0 || (sep !== 58 && sep !== 45) || n === out.length) {
      throw new TypeError(
        `Cannot encode hardware address ${
          JSON.stringify(text)
        }: not colon-separated hex byte pairs`,
      );
    }
    out[n++] = (hi << 4) | lo;
    pos += 3;
    if (pos > text.length) return n === out.length ? out : out.subarray(0, n);
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decodes UTF-8, with a fast path for short ASCII text.
 *
 * @param buf The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns The text; invalid UTF-8 becomes U+FFFD.
 */
export function decodeUtf8(
  buf: Uint8Array,
  start: number,
  end: number,
): string {
  if (end - start <= 64) {
    let text = "";
    let i = start;
    for (; i < end; i++) {
      const c = buf[i];
      if (c > 127) break;
      text += String.fromCharCode(c);
    }
    if (i === end) return text;
  }
  return utf8Decoder.decode(buf.subarray(start, end));
}

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
