/**
 * The one error the DHCP codec throws on bad input.
 *
 * @module
 */

/**
 * A DHCP message or option value could not be decoded.
 *
 * `offset` is the byte offset of the offending field: inside the packet for
 * {@linkcode decodeMessage} and {@linkcode DhcpOptions.getAs}, inside the
 * option value when a value codec is called directly.
 *
 * @example
 * ```ts
 * import { DhcpDecodeError } from "./errors.ts";
 * const error = new DhcpDecodeError("option 53 has length 0", 240);
 * console.log(error.message); // "Cannot decode DHCP message: option 53 has length 0 at offset 240"
 * ```
 */
export class DhcpDecodeError extends Error {
  /** Byte offset of the offending field. */
  readonly offset: number;
  /** What is wrong, without the prefix and location. */
  readonly reason: string;

  /**
   * Creates the error; the message is `<prefix>: <what> at offset <offset>`.
   *
   * @param what What is wrong, without the location, e.g. `option 53 has length 0`.
   * @param offset Byte offset of the offending field.
   * @param options `prefix` replaces "Cannot decode DHCP message"; `cause` is kept.
   */
  constructor(
    what: string,
    offset: number,
    options: { prefix?: string; cause?: unknown } = {},
  ) {
    super(
      `${
        options.prefix ?? "Cannot decode DHCP message"
      }: ${what} at offset ${offset}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "DhcpDecodeError";
    this.offset = offset;
    this.reason = what;
  }
}
