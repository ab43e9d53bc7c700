/**
 * Private helpers for option value codecs.
 *
 * @module
 */

import { DhcpDecodeError } from "./errors.ts";

/** Prefix of errors thrown by value codecs called directly. */
export const VALUE_PREFIX = "Cannot decode DHCP option value";

/**
 * Builds the error a value codec throws.
 *
 * @param what What is wrong.
 * @param offset Offset inside the option value.
 * @returns The error, to throw.
 */
export function valueError(what: string, offset: number): DhcpDecodeError {
  return new DhcpDecodeError(what, offset, { prefix: VALUE_PREFIX });
}

/**
 * Throws unless `bytes` has exactly `size` bytes.
 *
 * @param bytes The option value.
 * @param size Required length.
 * @param what What the value is, e.g. "an IPv4 address".
 * @throws {DhcpDecodeError} On another length.
 */
export function expectLength(
  bytes: Uint8Array,
  size: number,
  what: string,
): void {
  if (bytes.length !== size) {
    throw valueError(
      `expected ${size} bytes for ${what} but got ${bytes.length}`,
      0,
    );
  }
}

/**
 * Checks an integer range for encoding.
 *
 * @param value The number.
 * @param max Largest allowed value.
 * @param what What the value is.
 * @throws {RangeError} When `value` is not an integer in 0..max.
 */
export function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(
      `Cannot encode ${what} ${value}: not an integer from 0 to ${max}`,
    );
  }
}
