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

/**
 * The options of a message do not fit its maximum size, even with option
 * overload into `file` and `sname`. Thrown by `encodeMessage`; the server
 * catches it to leave options out (RFC 2131 §4.3.1).
 *
 * @example
 * ```ts
 * import { OptionsDoNotFitError } from "./errors.ts";
 * const error = new OptionsDoNotFitError("the options do not fit in 548 bytes", 548);
 * if (!(error instanceof RangeError) || error.maxSize !== 548) throw error;
 * ```
 */
export class OptionsDoNotFitError extends RangeError {
  /** The size limit that was exceeded. */
  readonly maxSize: number;

  /**
   * Creates the error; the message is `Cannot encode DHCP message: <what>`.
   *
   * @param what What did not fit, e.g. `the options do not fit in 548 bytes`.
   * @param maxSize The size limit.
   */
  constructor(what: string, maxSize: number) {
    super(`Cannot encode DHCP message: ${what}`);
    this.name = "OptionsDoNotFitError";
    this.maxSize = maxSize;
  }
}
