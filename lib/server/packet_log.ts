/**
 * The full decoded packet as plain log fields, for the debug line the
 * server writes for each request.
 *
 * @module
 */
import { encodeHex } from "../bytes/hex.ts";
import type { DhcpMessage } from "../dhcp/message.ts";

/**
 * Every header field of `message`, and its options as hex by code.
 *
 * @param message A decoded DHCP message.
 * @returns Fields for a log line.
 * @example
 * ```ts ignore
 * if (log.enabled("debug")) log.debug("request", describePacket(request));
 * ```
 */
export function describePacket(
  message: DhcpMessage,
): Record<string, unknown> {
  const options: Record<string, string> = {};
  for (const code of message.options.codes()) {
    options[code] = encodeHex(message.options.get(code) ?? new Uint8Array());
  }
  return {
    op: message.op,
    htype: message.hardwareType,
    hlen: message.hardwareLength,
    hops: message.hops,
    secs: message.seconds,
    flags: message.flags,
    ciaddr: message.clientIp,
    yiaddr: message.yourIp,
    siaddr: message.serverIp,
    giaddr: message.gatewayIp,
    chaddr: message.clientHardwareAddress,
    sname: message.serverName,
    file: message.bootFileName,
    options,
  };
}
