/**
 * UTF-8 with fast paths for ASCII (host names, JSON, URLs): encoding into a
 * caller's buffer or into pooled bytes, and decoding.
 *
 * @module
 */
import { allocBytes } from "./alloc.ts";

const encoder = new TextEncoder();

/**
 * Writes text as UTF-8, with a fast path for ASCII.
 *
 * @param text The text.
 * @param buf Destination.
 * @param at Offset of the first byte.
 * @param size Room available.
 * @returns Bytes written, or -1 when the text needs more than `size` bytes.
 */
export function writeUtf8(
  text: string,
  buf: Uint8Array,
  at: number,
  size: number,
): number {
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) break;
    if (i >= size) return -1;
    buf[at + i] = c;
  }
  if (i === text.length) return i;
  const { read, written } = encoder.encodeInto(
    text,
    buf.subarray(at, at + size),
  );
  return read === text.length ? written : -1;
}

/**
 * The UTF-8 bytes of `text`, in pooled memory (what `TextEncoder.encode`
 * does, without an ArrayBuffer of its own).
 *
 * @param text Any string; lone surrogates become U+FFFD as with TextEncoder.
 * @returns The bytes.
 * @example
 * ```ts
 * import { encodeUtf8 } from "./utf8.ts";
 * if (encodeUtf8("héllo").length !== 6) throw new Error();
 * ```
 */
export function encodeUtf8(text: string): Uint8Array {
  const n = text.length;
  if (n * 3 > 4096) return encoder.encode(text);
  // ASCII takes one byte per UTF-16 unit; anything else takes more, so it
  // does not fit n bytes and goes the long way.
  const out = allocBytes(n);
  if (writeUtf8(text, out, 0, n) === n) return out;
  const room = allocBytes(n * 3);
  return room.subarray(0, encoder.encodeInto(text, room).written);
}

const decoder = new TextDecoder();

/**
 * Decodes UTF-8, with a fast path for short ASCII text.
 *
 * @param buf The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns The text; invalid UTF-8 becomes U+FFFD.
 * @example
 * ```ts
 * import { decodeUtf8 } from "./utf8.ts";
 * if (decodeUtf8(Uint8Array.of(0x68, 0xc3, 0xa9), 0, 3) !== "hé") throw new Error();
 * ```
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
  return decoder.decode(buf.subarray(start, end));
}
