/**
 * The fields of a DHCPv4 message (RFC 2131 §2), in a file of their own so
 * the decoder (message.ts) and the encoder (encode.ts) share the type
 * without importing each other.
 *
 * @module
 */
import type { DhcpOptions } from "./options.ts";

/** A DHCPv4 message. Addresses are dotted quads, the MAC colon hex. */
export interface DhcpMessage {
  /** op: 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** htype: hardware type, 1 for Ethernet. */
  hardwareType: number;
  /** hlen: hardware address length, 6 for Ethernet. */
  hardwareLength: number;
  /** hops: relay hop count. */
  hops: number;
  /** xid: transaction ID (uint32). */
  transactionId: number;
  /** secs: seconds since the client began. */
  seconds: number;
  /** flags: 0x8000 is the broadcast flag. */
  flags: number;
  /** ciaddr: the client's current address. */
  clientIp: string;
  /** yiaddr: the address offered or assigned. */
  yourIp: string;
  /** siaddr: the next server (TFTP) address. */
  serverIp: string;
  /** giaddr: the relay agent address. */
  gatewayIp: string;
  /** chaddr: lower-case colon hex of `hardwareLength` bytes. */
  clientHardwareAddress: string;
  /** sname: server host name (empty when the field carries options). */
  serverName: string;
  /** file: boot file name (empty when the field carries options). */
  bootFileName: string;
  /** The options, raw bytes per code. */
  options: DhcpOptions;
}
