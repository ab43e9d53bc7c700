/**
 * A connection's outbound bytes as a queue of chunks, so that many MSG lines
 * become one socket write and memory follows what is pending: appends go to
 * the last chunk, writes take from the first. Chunks start at 512 bytes and
 * double up to 64 KiB while a burst needs them; a chunk is freed as soon as
 * it has been written, so a connection holds its pending bytes plus less
 * than one chunk, and once drained at most one chunk of up to 4 KiB.
 *
 * @module
 */

import { release } from "./bytes.ts";

const encoder = new TextEncoder();

/** Size of the first chunk of a burst, in bytes. */
export const MIN_CHUNK = 512;
/** Largest chunk, in bytes (also the most one socket write takes). */
export const MAX_CHUNK = 64 * 1024;
/** A drained buffer keeps its last chunk only up to this size, in bytes. */
export const KEEP_CHUNK = 4 * 1024;

const EMPTY = new Uint8Array(0);

/**
 * Appends protocol text and payload bytes; hands them out for writing a
 * chunk at a time.
 *
 * @example
 * ```ts
 * import { OutBuffer } from "./out_buffer.ts";
 * const out = new OutBuffer();
 * out.ascii("PONG\r\n");
 * const head = out.peek();
 * if (head.length !== 6) throw new Error();
 * out.consume(head.length);
 * if (out.length !== 0) throw new Error();
 * ```
 */
export class OutBuffer {
  #chunks: Uint8Array<ArrayBuffer>[] = [];
  /** The last chunk, appended to; EMPTY when there is none. */
  #last: Uint8Array<ArrayBuffer> = EMPTY;
  /** Bytes of the first chunk already consumed. */
  #start = 0;
  /** Bytes of the last chunk filled. */
  #end = 0;
  #length = 0;
  #capacity = 0;
  #onRelease: ((bytes: number) => void) | undefined;

  /** @param onRelease told the size of each chunk freed */
  constructor(onRelease?: (bytes: number) => void) {
    this.#onRelease = onRelease;
  }

  /** Bytes waiting (appended and not yet consumed). */
  get length(): number {
    return this.#length;
  }

  /** Bytes of memory held by the chunks. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Start a new last chunk, twice the size of the previous one. */
  #grow(): Uint8Array<ArrayBuffer> {
    const previous = this.#last.length;
    const size = previous === 0 ? MIN_CHUNK : Math.min(previous * 2, MAX_CHUNK);
    const chunk = new Uint8Array(size);
    this.#chunks.push(chunk);
    this.#capacity += size;
    this.#last = chunk;
    this.#end = 0;
    return chunk;
  }

  /**
   * Append an ASCII (or byte) string, one byte per char.
   *
   * @param text chars below 256
   */
  ascii(text: string): void {
    const n = text.length;
    let chunk = this.#last;
    let pos = this.#end;
    for (let i = 0; i < n; i++) {
      if (pos === chunk.length) {
        this.#end = pos;
        chunk = this.#grow();
        pos = 0;
      }
      chunk[pos++] = text.charCodeAt(i);
    }
    this.#end = pos;
    this.#length += n;
  }

  /**
   * Append a string as UTF-8.
   *
   * @param text any text
   */
  utf8(text: string): void {
    this.bytes(encoder.encode(text));
  }

  /**
   * Append bytes.
   *
   * @param bytes copied now
   */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    let chunk = this.#last;
    let pos = this.#end;
    let from = 0;
    while (from < n) {
      if (pos === chunk.length) {
        this.#end = pos;
        chunk = this.#grow();
        pos = 0;
      }
      const take = Math.min(n - from, chunk.length - pos);
      if (take < 64) {
        for (let i = 0; i < take; i++) chunk[pos + i] = bytes[from + i];
      } else chunk.set(bytes.subarray(from, from + take), pos);
      pos += take;
      from += take;
    }
    this.#end = pos;
    this.#length += n;
  }

  /**
   * Append a non-negative integer in decimal.
   *
   * @param n the number
   */
  decimal(n: number): void {
    this.ascii(String(n));
  }

  /**
   * The waiting bytes of the first chunk, for one socket write; valid until
   * the next {@linkcode OutBuffer.consume} or {@linkcode OutBuffer.clear}
   * (appends do not touch them).
   *
   * @returns the bytes, empty when nothing waits
   */
  peek(): Uint8Array {
    const first = this.#chunks[0];
    if (first === undefined) return EMPTY;
    const end = this.#chunks.length === 1 ? this.#end : first.length;
    return first.subarray(this.#start, end);
  }

  /**
   * Drop `n` written bytes from the front (at most what
   * {@linkcode OutBuffer.peek} returned); chunks written out are freed.
   *
   * @param n bytes written
   */
  consume(n: number): void {
    this.#start += n;
    this.#length -= n;
    while (this.#chunks.length > 1 && this.#start === this.#chunks[0].length) {
      this.#drop(this.#chunks.shift()!);
      this.#start = 0;
    }
    if (this.#length === 0 && this.#chunks.length === 1) {
      this.#start = 0;
      this.#end = 0;
      if (this.#last.length > KEEP_CHUNK) this.clear();
    }
  }

  #drop(chunk: Uint8Array<ArrayBuffer>): void {
    const size = chunk.length;
    this.#capacity -= size;
    release(chunk);
    this.#onRelease?.(size);
  }

  /** Forget everything waiting and free every chunk. */
  clear(): void {
    for (const chunk of this.#chunks) this.#drop(chunk);
    this.#chunks = [];
    this.#last = EMPTY;
    this.#start = 0;
    this.#end = 0;
    this.#length = 0;
  }
}

/**
 * Append a MSG (or HMSG when `headerSize > 0` and `withHeaders`) for one
 * subscription. Without header support the headers are stripped, as
 * nats-server does.
 *
 * @param out where to append
 * @param subject subject bytes
 * @param sid the subscription id
 * @param reply reply-subject bytes
 * @param headerSize header bytes at the start of `payload`, -1 for none
 * @param payload headers and body
 * @param withHeaders whether the receiver takes headers
 * @returns the bytes of body delivered
 */
export function appendMsg(
  out: OutBuffer,
  subject: Uint8Array,
  sid: string,
  reply: Uint8Array | undefined,
  headerSize: number,
  payload: Uint8Array,
  withHeaders: boolean,
): number {
  const hmsg = headerSize > 0 && withHeaders;
  if (headerSize > 0 && !withHeaders) payload = payload.subarray(headerSize);
  out.ascii(hmsg ? "HMSG " : "MSG ");
  out.bytes(subject);
  out.ascii(" " + sid + " ");
  if (reply) {
    out.bytes(reply);
    out.ascii(" ");
  }
  out.ascii(
    hmsg ? headerSize + " " + payload.length + "\r\n" : payload.length + "\r\n",
  );
  out.bytes(payload);
  out.ascii("\r\n");
  return payload.length;
}
