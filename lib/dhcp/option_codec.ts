/**
 * The shape of a typed option value codec, shared by option_values.ts and
 * the codecs it gathers (sub-options, classless routes, domain lists).
 *
 * @module
 */

/** Turns an option's raw bytes into a value and back. */
export interface OptionValueCodec<T> {
  /**
   * Turns the option's bytes into a value.
   *
   * @param bytes The option value (RFC 3396 concatenated).
   * @throws {DhcpDecodeError} When the bytes are not a valid value.
   */
  decode(bytes: Uint8Array): T;
  /**
   * Turns a value into the option's bytes.
   *
   * @param value The value.
   * @throws {TypeError | RangeError} When the value cannot be encoded.
   */
  encode(value: T): Uint8Array;
}
