/**
 * Where a reply goes (RFC 2131 §4.1), decided by the server alone.
 *
 * @module
 */
import { MessageType } from "../dhcp/codes.ts";

/** The DHCP server port (RFC 2131 §4.1). */
export const SERVER_PORT = 67;
/** The DHCP client port (RFC 2131 §4.1). */
export const CLIENT_PORT = 68;
/** The PXE boot server port (PXE 2.1 §2.2.6), which proxyDHCP also serves. */
export const PXE_PORT = 4011;
/** The limited broadcast address. */
export const BROADCAST = "255.255.255.255";

/** Where one reply is sent. */
export interface ReplyDestination {
  /** Destination IPv4 address. */
  address: string;
  /** Destination UDP port. */
  port: number;
  /** Why: which rule applied, for logs and tests. */
  rule: "relay" | "source" | "ciaddr" | "broadcast";
}

/** What {@linkcode replyDestination} needs to know about the request. */
export interface RequestFrame {
  /** giaddr of the request. */
  gatewayIp: string;
  /** ciaddr of the request. */
  clientIp: string;
  /** Source address of the UDP datagram. */
  sourceAddress: string;
  /** Source port of the UDP datagram. */
  sourcePort: number;
  /** The port the server listens on. */
  listenPort: number;
}

/**
 * Decide where a reply goes.
 *
 * In order:
 * 1. giaddr set: to the relay agent, `giaddr:67` (RFC 2131 §4.1), NAK included.
 * 2. The server listens on a port other than 67 and the datagram came from
 *    a port that is neither 67 nor 68: back to its source address and port.
 *    Real clients always send from port 68 and relays from 67, so this only
 *    concerns a server on an unprivileged port (the demo, tests) and its
 *    clients such as our own `lib/client`. A server on port 67 never answers
 *    another port: a forged request from port 53 or 123 would otherwise
 *    make it a reflector.
 * 3. NAK: broadcast (RFC 2131 §4.1: "in all cases, when giaddr is zero, the
 *    server broadcasts any DHCPNAK messages").
 * 4. ciaddr set: unicast to `ciaddr:68` (RENEWING, REBINDING, INFORM).
 * 5. Otherwise broadcast to `255.255.255.255:68`. RFC 2131 would unicast to
 *    yiaddr when the broadcast bit is clear, but that needs an ARP entry for
 *    an address the client does not have yet; the RFC allows the broadcast
 *    ("if unicasting is not possible, the message MAY be sent as an IP
 *    broadcast").
 *
 * @param frame The request's addresses and the datagram's source.
 * @param replyType The message type of the reply.
 * @returns The destination.
 * @example
 * ```ts
 * import { replyDestination } from "./addressing.ts";
 * const to = replyDestination({ gatewayIp: "10.0.0.1", clientIp: "0.0.0.0",
 *   sourceAddress: "10.0.0.1", sourcePort: 67, listenPort: 67 }, 2);
 * if (to.address !== "10.0.0.1" || to.port !== 67) throw new Error();
 * ```
 */
export function replyDestination(
  frame: RequestFrame,
  replyType: number,
): ReplyDestination {
  if (frame.gatewayIp !== "0.0.0.0") {
    return { address: frame.gatewayIp, port: SERVER_PORT, rule: "relay" };
  }
  if (
    frame.listenPort !== SERVER_PORT && frame.sourcePort !== SERVER_PORT &&
    frame.sourcePort !== CLIENT_PORT
  ) {
    return {
      address: frame.sourceAddress,
      port: frame.sourcePort,
      rule: "source",
    };
  }
  if (replyType !== MessageType.Nak && frame.clientIp !== "0.0.0.0") {
    return { address: frame.clientIp, port: CLIENT_PORT, rule: "ciaddr" };
  }
  return { address: BROADCAST, port: CLIENT_PORT, rule: "broadcast" };
}
