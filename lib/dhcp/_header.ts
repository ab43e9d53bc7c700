/**
 * Private: writes the fixed 240-byte header of a DHCP message.
 *
 * @module
 */

import { decodeCString } from "./_bytes.ts";
import { formatHex } from "../bytes/hex.ts";
import { encodeUtf8, writeUtf8 } from "../bytes/utf8.ts";
import { writeIpv4 } from "../net/ipv4.ts";
import { parseHardwareAddress } from "../net/mac.ts";
import { checkUint } from "./_value_error.ts";
import type { DhcpMessage } from "./message_fields.ts";

function writeText(
  out: Uint8Array,
  value: string,
  start: number,
  size: number,
  field: string,
): void {
  if (writeUtf8(value, out, start, size) === -1) {
    throw new RangeError(
      `Cannot encode DHCP message: ${field} is ${
        encodeUtf8(value).length
      } bytes, over the ${size}-byte field`,
    );
  }
}

/**
 * Writes op to the magic cookie.
 *
 * @param out Destination, at least 240 bytes.
 * @param message The message.
 * @param packet The packet it was decoded from, to copy unchanged fields.
 * @param rawOverload Overload bits of that packet (fields holding options).
 * @throws {TypeError | RangeError} For a field that cannot be encoded.
 */
export function writeHeader(
  out: Uint8Array,
  message: DhcpMessage,
  packet: Uint8Array | undefined,
  rawOverload: number,
): void {
  checkUint(message.op, 0xff, "op");
  checkUint(message.hardwareType, 0xff, "hardware type");
  checkUint(message.hardwareLength, 0xff, "hardware length");
  checkUint(message.hops, 0xff, "hops");
  checkUint(message.transactionId, 0xffffffff, "transaction ID");
  checkUint(message.seconds, 0xffff, "seconds");
  checkUint(message.flags, 0xffff, "flags");
  out[0] = message.op;
  out[1] = message.hardwareType;
  out[2] = message.hardwareLength;
  out[3] = message.hops;
  const xid = message.transactionId;
  out[4] = xid >>> 24;
  out[5] = (xid >>> 16) & 0xff;
  out[6] = (xid >>> 8) & 0xff;
  out[7] = xid & 0xff;
  out[8] = message.seconds >>> 8;
  out[9] = message.seconds & 0xff;
  out[10] = message.flags >>> 8;
  out[11] = message.flags & 0xff;
  writeIpv4(message.clientIp, out, 12);
  writeIpv4(message.yourIp, out, 16);
  writeIpv4(message.serverIp, out, 20);
  writeIpv4(message.gatewayIp, out, 24);
  // Unchanged fields are copied from the decoded packet, so bytes the
  // string form does not show (chaddr padding, text after a NUL) survive.
  if (
    packet && message.hardwareLength === packet[2] &&
    message.clientHardwareAddress === formatHex(packet, 28, packet[2])
  ) {
    out.set(packet.subarray(28, 44), 28);
  } else {
    const chaddr = parseHardwareAddress(message.clientHardwareAddress);
    if (chaddr.length > 16) {
      throw new RangeError(
        `Cannot encode DHCP message: hardware address has ${chaddr.length} bytes, over 16`,
      );
    }
    out.set(chaddr, 28);
  }
  if (
    packet && !(rawOverload & 2) &&
    message.serverName === decodeCString(packet, 44, 108)
  ) {
    out.set(packet.subarray(44, 108), 44);
  } else {
    writeText(out, message.serverName, 44, 64, "server name");
  }
  if (
    packet && !(rawOverload & 1) &&
    message.bootFileName === decodeCString(packet, 108, 236)
  ) {
    out.set(packet.subarray(108, 236), 108);
  } else {
    writeText(out, message.bootFileName, 108, 128, "boot file name");
  }
  out[236] = 99;
  out[237] = 130;
  out[238] = 83;
  out[239] = 99;
}
