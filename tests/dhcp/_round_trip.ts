/**
 * Assertion helpers for the codec tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DhcpDecodeError } from "../../lib/dhcp/errors.ts";
import {
  decodeMessage,
  type DhcpMessage,
  encodeMessage,
} from "../../lib/dhcp/message.ts";

/** The bytes without trailing zero (pad) bytes. */
export function trimPad(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

/**
 * Decodes `bytes`, re-encodes the message and asserts the same bytes come
 * back, trailing pad aside, and that the result is at least 300 bytes.
 */
export function assertRoundTrip(
  bytes: Uint8Array,
  maxSize = 1500,
): DhcpMessage {
  const message = decodeMessage(bytes);
  const encoded = encodeMessage(message, { maxSize });
  assert.ok(
    encoded.length >= 300,
    `encoded ${encoded.length} bytes, under 300`,
  );
  assert.deepEqual(trimPad(encoded), trimPad(bytes));
  return message;
}

/** Asserts `fn` throws a DhcpDecodeError with this message and offset. */
export function assertDecodeError(
  fn: () => unknown,
  message: string | RegExp,
  offset?: number,
): DhcpDecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof DhcpDecodeError,
    `expected DhcpDecodeError, got ${caught}`,
  );
  assert.equal(caught.name, "DhcpDecodeError");
  if (typeof message === "string") assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  if (offset !== undefined) assert.equal(caught.offset, offset);
  return caught;
}

/** The header fields of a message, without the options. */
export function headerOf(message: DhcpMessage): Omit<DhcpMessage, "options"> {
  const { options: _options, ...header } = message;
  return header;
}
