/**
 * The DHCPv4 message (RFC 2131 §2) and its decoder. Decoding indexes the
 * options and builds option values on access; see {@linkcode encodeMessage}
 * for the other direction.
 *
 * @module
 */

import { encodeHex, formatHex } from "../bytes/hex.ts";
import { decodeCString } from "./_bytes.ts";
import { formatIpv4 } from "../net/ipv4.ts";
import { DhcpDecodeError } from "./errors.ts";
import type { DhcpMessage } from "./message_fields.ts";
import { optionsFromPacket } from "./options.ts";

export { encodeMessage, type EncodeOptions } from "./encode.ts";
export type { DhcpMessage } from "./message_fields.ts";

/** The BOOTP magic cookie (RFC 2131 §3). */
export const MAGIC_COOKIE = 0x63825363;

/**
 * Per code: 1 when a zero-length value is invalid (RFC 2132 minimum
 * lengths), 2 when it is taken as absent: text that clients send empty
 * (host name 12, vendor class 60, FQDN 81 and the other names), which
 * Go's dhcpv4 and tinkerbell/dhcp accept.
 */
const NEEDS_VALUE = new Uint8Array(256);
for (let code = 1; code <= 76; code++) NEEDS_VALUE[code] = 1;
for (const code of [77, 82, 93, 94, 97, 119, 121, 175]) {
  NEEDS_VALUE[code] = 1;
}
for (const code of [12, 14, 15, 17, 18, 40, 47, 60, 64, 66, 67, 81]) {
  NEEDS_VALUE[code] = 2;
}

/**
 * Indexes the options of one area; returns the offset after End or `end`.
 *
 * @throws {DhcpDecodeError} On an option running past the area.
 */
function scanArea(
  buf: Uint8Array,
  start: number,
  end: number,
  index: number[],
): number {
  let pos = start;
  while (pos < end) {
    const code = buf[pos];
    if (code === 0) {
      pos++;
      continue;
    }
    if (code === 255) return pos + 1;
    if (pos + 1 >= end) {
      throw new DhcpDecodeError(`option ${code} has no length byte`, pos);
    }
    const len = buf[pos + 1];
    if (pos + 2 + len > end) {
      throw new DhcpDecodeError(
        `option ${code} has length ${len} but only ${
          end - pos - 2
        } bytes remain`,
        pos,
      );
    }
    index.push(code, pos + 2, len);
    pos += 2 + len;
  }
  return end;
}

/**
 * Checks option values the decoder itself depends on, and removes from
 * the index the empty options taken as absent.
 */
function checkIndex(index: number[]): void {
  let typeLength = -1;
  let typeAt = 0;
  for (let i = 0; i < index.length; i += 3) {
    const code = index[i];
    const len = index[i + 2];
    if (code === 53) {
      if (typeLength === -1) {
        typeLength = 0;
        typeAt = index[i + 1] - 2;
      }
      typeLength += len;
    } else if (len === 0 && NEEDS_VALUE[code] !== 0) {
      let total = 0;
      for (let j = 0; j < index.length; j += 3) {
        if (index[j] === code) total += index[j + 2];
      }
      if (total !== 0) continue;
      if (NEEDS_VALUE[code] === 1) {
        throw new DhcpDecodeError(
          `option ${code} has length 0`,
          index[i + 1] - 2,
        );
      }
      index.splice(i, 3);
      i -= 3;
    }
  }
  if (typeLength !== -1 && typeLength !== 1) {
    throw new DhcpDecodeError(
      typeLength === 0
        ? "option 53 has length 0"
        : `option 53 has length ${typeLength} instead of 1`,
      typeAt,
    );
  }
}

/**
 * Decodes a DHCPv4 message (the UDP payload).
 *
 * Follows option overload (52) into `file` and `sname`, concatenates
 * repeated codes (RFC 3396), skips Pad and stops at End. The message keeps
 * `bytes` (no copy) and builds option values from it on access, so do not
 * reuse or modify that buffer while the message is in use.
 *
 * @param bytes The UDP payload.
 * @returns The message.
 * @throws {DhcpDecodeError} For anything that is not a well-formed message
 * (and nothing else).
 * @example
 * ```ts
 * import { decodeMessage } from "./message.ts";
 * const packet = new Uint8Array(244);
 * packet.set([1, 1, 6], 0);
 * packet.set([99, 130, 83, 99, 255], 236);
 * decodeMessage(packet.subarray(0, 241)).clientHardwareAddress; // "00:00:00:00:00:00"
 * ```
 */
export function decodeMessage(bytes: Uint8Array): DhcpMessage {
  if (!(bytes instanceof Uint8Array)) {
    throw new DhcpDecodeError("input is not a Uint8Array", 0);
  }
  const n = bytes.length;
  if (n < 240) {
    throw new DhcpDecodeError(
      `packet is ${n} bytes, shorter than the 240-byte minimum`,
      n,
    );
  }
  if (
    bytes[236] !== 99 || bytes[237] !== 130 || bytes[238] !== 83 ||
    bytes[239] !== 99
  ) {
    throw new DhcpDecodeError(
      `magic cookie is ${
        encodeHex(bytes.subarray(236, 240))
      } instead of 63825363`,
      236,
    );
  }
  const hlen = bytes[2];
  if (hlen > 16) {
    throw new DhcpDecodeError(`hardware address length ${hlen} is over 16`, 2);
  }
  const buf = bytes;
  const index: number[] = [];
  const optionsEnd = scanArea(buf, 240, n, index);
  let overload = 0;
  for (let i = 0; i < index.length; i += 3) {
    if (index[i] !== 52) continue;
    const len = index[i + 2];
    overload = len === 1 ? buf[index[i + 1]] : 0;
    if (overload < 1 || overload > 3) {
      throw new DhcpDecodeError(
        len === 1
          ? `option 52 (option overload) has value ${overload}, not 1, 2 or 3`
          : `option 52 (option overload) has length ${len} instead of 1`,
        index[i + 1] - 2,
      );
    }
    break;
  }
  if (overload & 1) scanArea(buf, 108, 236, index);
  if (overload & 2) scanArea(buf, 44, 108, index);
  checkIndex(index);
  return {
    op: buf[0],
    hardwareType: buf[1],
    hardwareLength: hlen,
    hops: buf[3],
    transactionId:
      ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0,
    seconds: (buf[8] << 8) | buf[9],
    flags: (buf[10] << 8) | buf[11],
    clientIp: formatIpv4(buf, 12),
    yourIp: formatIpv4(buf, 16),
    serverIp: formatIpv4(buf, 20),
    gatewayIp: formatIpv4(buf, 24),
    clientHardwareAddress: formatHex(buf, 28, hlen),
    serverName: overload & 2 ? "" : decodeCString(buf, 44, 108),
    bootFileName: overload & 1 ? "" : decodeCString(buf, 108, 236),
    options: optionsFromPacket({ packet: buf, index, optionsEnd, overload }),
  };
}
