/**
 * A growable byte buffer for a connection's outbound protocol data, so that
 * many MSG lines become one socket write.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Appends protocol text and payload bytes into one contiguous buffer.
 *
 * @example
 * ```ts
 * import { OutBuffer } from "./out_buffer.ts";
 * const out = new OutBuffer();
 * out.ascii("PONG\r\n");
 * if (out.length !== 6) throw new Error();
 * ```
 */
export class OutBuffer {
  #buf: Uint8Array;
  #len = 0;

  /** @param initial starting capacity in bytes */
  constructor(initial = 16 * 1024) {
    this.#buf = new Uint8Array(initial);
  }

  /** Bytes waiting. */
  get length(): number {
    return this.#len;
  }

  #reserve(extra: number): void {
    const need = this.#len + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.#buf.subarray(0, this.#len));
    this.#buf = bigger;
  }

  /**
   * Append an ASCII (or byte) string, one byte per char.
   *
   * @param text chars below 256
   */
  ascii(text: string): void {
    const n = text.length;
    this.#reserve(n);
    const buf = this.#buf;
    let pos = this.#len;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.#len = pos;
  }

  /**
   * Append a string as UTF-8.
   *
   * @param text any text
   */
  utf8(text: string): void {
    this.#reserve(text.length * 3);
    const { written } = encoder.encodeInto(text, this.#buf.subarray(this.#len));
    this.#len += written;
  }

  /**
   * Append bytes.
   *
   * @param bytes copied now
   */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#reserve(n);
    if (n < 64) {
      const buf = this.#buf;
      let pos = this.#len;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i];
    } else this.#buf.set(bytes, this.#len);
    this.#len += n;
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
   * A view of the waiting bytes; valid until the next append or reset.
   *
   * @returns the bytes
   */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /**
   * Forget the waiting bytes; a buffer grown past `shrinkAbove` is replaced
   * by a small one so idle connections do not hold memory.
   *
   * @param shrinkAbove capacity to keep at most
   */
  reset(shrinkAbove = 1024 * 1024): void {
    this.#len = 0;
    if (this.#buf.length > shrinkAbove) this.#buf = new Uint8Array(16 * 1024);
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
