/**
 * Replies built from the request by small modifiers, e.g.
 * `createReply(request, withMessageType(MessageType.Offer), withYourIp(ip))`.
 *
 * @module
 */

import { copyBytes } from "../bytes/alloc.ts";
import { MessageType, OptionCode } from "./codes.ts";
import type { DhcpMessage } from "./message.ts";
import { DhcpOptions } from "./options.ts";
import { ip, type OptionValueCodec, u32, u8 } from "./option_values.ts";

/** Changes a reply in place. */
export type Modifier = (reply: DhcpMessage) => void;

/**
 * Builds a reply (op 2) to a request: copies xid, flags, ciaddr, giaddr,
 * hardware type, length and address, applies the
 * modifiers in order, then echoes the
 * request's Client Identifier (61, RFC 6842) and Relay Agent Information
 * (82, RFC 3046) unless a modifier set them. An OFFER and a NAK get
 * ciaddr 0 (RFC 2131 table 3), a NAK also the broadcast flag (§4.3.2).
 *
 * @param request The client's message.
 * @param modifiers Applied in order.
 * @returns The reply.
 * @example
 * ```ts
 * import { createReply, withLeaseTime, withMessageType, withYourIp } from "./modifiers.ts";
 * import { decodeMessage } from "./message.ts";
 * import { MessageType } from "./codes.ts";
 * // A minimal DISCOVER: BOOTREQUEST, Ethernet, magic cookie, option 53 = 1.
 * const bytes = new Uint8Array(244);
 * bytes.set([1, 1, 6], 0);
 * bytes.set([99, 130, 83, 99, 53, 1, 1, 255], 236);
 * const request = decodeMessage(bytes);
 * const offer = createReply(request, withMessageType(MessageType.Offer),
 *   withYourIp("192.168.1.10"), withLeaseTime(3600));
 * if (offer.yourIp !== "192.168.1.10") throw new Error();
 * ```
 */
export function createReply(
  request: DhcpMessage,
  ...modifiers: Modifier[]
): DhcpMessage {
  const reply: DhcpMessage = {
    op: 2,
    hardwareType: request.hardwareType,
    hardwareLength: request.hardwareLength,
    hops: 0,
    transactionId: request.transactionId,
    seconds: 0,
    flags: request.flags,
    clientIp: request.clientIp,
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: request.gatewayIp,
    clientHardwareAddress: request.clientHardwareAddress,
    serverName: "",
    bootFileName: "",
    options: new DhcpOptions(),
  };
  for (const modify of modifiers) modify(reply);
  const type = reply.options.get(OptionCode.MessageType)?.[0];
  // RFC 2131 table 3: an OFFER and a NAK carry no ciaddr.
  if (type === MessageType.Offer) reply.clientIp = "0.0.0.0";
  if (type === MessageType.Nak) {
    // §4.3.2: a relayed NAK must have the broadcast bit; dnsmasq sets it
    // on every NAK, and so do we.
    reply.clientIp = "0.0.0.0";
    reply.flags |= 0x8000;
  }
  for (
    const code of [
      OptionCode.ClientIdentifier,
      OptionCode.RelayAgentInformation,
    ]
  ) {
    const value = request.options.get(code);
    if (value !== undefined && !reply.options.has(code)) {
      reply.options.set(code, copyBytes(value));
    }
  }
  return reply;
}

/**
 * Sets the message type (option 53).
 *
 * @param type For example `MessageType.Offer`.
 * @returns The modifier.
 */
export function withMessageType(type: MessageType): Modifier {
  return (reply) => void reply.options.setAs(OptionCode.MessageType, u8, type);
}

/**
 * Sets the offered or assigned address (yiaddr).
 *
 * @param address Dotted quad.
 * @returns The modifier.
 */
export function withYourIp(address: string): Modifier {
  return (reply) => void (reply.yourIp = address);
}

/**
 * Sets the next server address (siaddr).
 *
 * @param address Dotted quad.
 * @returns The modifier.
 */
export function withServerIp(address: string): Modifier {
  return (reply) => void (reply.serverIp = address);
}

/**
 * Sets the Server Identifier (option 54).
 *
 * @param address Dotted quad.
 * @returns The modifier.
 * @throws {TypeError} When applied, if `address` is not a dotted quad.
 */
export function withServerIdentifier(address: string): Modifier {
  return withOption(OptionCode.ServerIdentifier, ip, address);
}

/**
 * Sets any option through a typed codec.
 *
 * @param code Option code.
 * @param codec For example `ipList`.
 * @param value The value.
 * @returns The modifier.
 */
export function withOption<T>(
  code: number,
  codec: OptionValueCodec<T>,
  value: T,
): Modifier {
  return (reply) => void reply.options.setAs(code, codec, value);
}

/**
 * Sets the lease time (51) with the renewal (58, 50%) and rebinding (59,
 * 87.5%) times, rounded down (RFC 2131 §4.4.5).
 *
 * @param seconds Lease time in seconds.
 * @returns The modifier.
 * @throws {RangeError} When applied, if `seconds` is not a uint32.
 */
export function withLeaseTime(seconds: number): Modifier {
  return (reply) => {
    reply.options.setAs(OptionCode.IpAddressLeaseTime, u32, seconds);
    reply.options.setAs(OptionCode.RenewalTime, u32, Math.floor(seconds / 2));
    reply.options.setAs(
      OptionCode.RebindingTime,
      u32,
      Math.floor((seconds * 7) / 8),
    );
  };
}

/**
 * Sets the boot file name (the `file` header field).
 *
 * @param name For example `ipxe.efi`.
 * @returns The modifier.
 */
export function withBootFile(name: string): Modifier {
  return (reply) => void (reply.bootFileName = name);
}

/**
 * The message type (option 53) of a message.
 *
 * @param message The message.
 * @returns The type, or `undefined` when option 53 is absent.
 * @throws {DhcpDecodeError} When option 53 is not one byte.
 */
export function messageTypeOf(message: DhcpMessage): number | undefined {
  return message.options.getAs(OptionCode.MessageType, u8);
}
