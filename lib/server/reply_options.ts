/**
 * The last step before a reply is encoded: keep the options the client asked
 * for (option 55), order them, echo the client identifier (61) and relay
 * agent information (82), and work out the size limit (option 57).
 *
 * @module
 */
import { OptionCode } from "../dhcp/codes.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import { DhcpOptions } from "../dhcp/options.ts";

/**
 * Options sent whether or not the client listed them in option 55: the
 * message type, server identifier, lease times, mask and router (RFC 2131
 * §4.3.1 asks for the lease time and server identifier; every client needs
 * mask and router), the NAK message, and the netboot options (PXE ROMs do
 * not always list 43/60/66/67, and we only add them for netboot clients).
 */
export const ALWAYS_SENT: ReadonlySet<number> = new Set([
  OptionCode.MessageType,
  OptionCode.ServerIdentifier,
  OptionCode.IpAddressLeaseTime,
  OptionCode.RenewalTime,
  OptionCode.RebindingTime,
  OptionCode.SubnetMask,
  OptionCode.Router,
  OptionCode.Message,
  OptionCode.VendorClassIdentifier,
  OptionCode.VendorSpecificInformation,
  OptionCode.TftpServerName,
  OptionCode.BootFileName,
  OptionCode.ClientMachineIdentifier,
]);

/** Smallest message every DHCP client must accept (RFC 2131 §2). */
export const MIN_MESSAGE_SIZE = 576;
/** IPv4 and UDP header bytes counted in option 57's value. */
const IP_UDP_HEADERS = 28;

/**
 * Rebuild the reply's options in their final order:
 * 53, 54, 51, 58, 59, then the options of the parameter request list in the
 * client's order (RFC 2132 §9.8), then the other kept options, then 61 (echo,
 * RFC 6842) and 82 last (echo, RFC 3046 §2.2).
 *
 * When the request has option 55, an option not in it and not in
 * {@linkcode ALWAYS_SENT} is left out. Without option 55 every option stays.
 *
 * @param request The decoded request.
 * @param reply The reply; its `options` are replaced.
 */
export function finalizeOptions(
  request: DhcpMessage,
  reply: DhcpMessage,
): void {
  const old = reply.options;
  const prl = request.options.get(OptionCode.ParameterRequestList);
  const wanted = prl ? Array.from(prl) : undefined;
  const out = new DhcpOptions();
  const keep = (code: number) =>
    wanted === undefined || ALWAYS_SENT.has(code) || wanted.includes(code);
  const put = (code: number) => {
    const value = old.get(code);
    if (value !== undefined && !out.has(code) && keep(code)) {
      out.set(code, value);
    }
  };
  for (
    const code of [
      OptionCode.MessageType,
      OptionCode.ServerIdentifier,
      OptionCode.IpAddressLeaseTime,
      OptionCode.RenewalTime,
      OptionCode.RebindingTime,
    ]
  ) put(code);
  for (const code of wanted ?? []) {
    if (
      code !== OptionCode.ClientIdentifier &&
      code !== OptionCode.RelayAgentInformation
    ) {
      put(code);
    }
  }
  for (const code of old.codes()) {
    if (
      code !== OptionCode.ClientIdentifier &&
      code !== OptionCode.RelayAgentInformation
    ) {
      put(code);
    }
  }
  const clientId = request.options.get(OptionCode.ClientIdentifier);
  if (clientId !== undefined) out.set(OptionCode.ClientIdentifier, clientId);
  const relay = request.options.get(OptionCode.RelayAgentInformation);
  if (relay !== undefined) out.set(OptionCode.RelayAgentInformation, relay);
  reply.options = out;
}

/**
 * The largest reply (UDP payload) the client accepts: its option 57 minus
 * the 28 bytes of IP and UDP headers (RFC 2132 §9.10 counts the whole
 * datagram, so we stay on the safe side), never below 576, and 576 when the
 * option is absent or malformed.
 *
 * @param request The decoded request.
 * @returns The `maxSize` for `encodeMessage`.
 */
export function replyMaxSize(request: DhcpMessage): number {
  const raw = request.options.get(OptionCode.MaximumMessageSize);
  const asked = raw !== undefined && raw.length === 2
    ? raw[0] << 8 | raw[1]
    : 0;
  return Math.max(asked - IP_UDP_HEADERS, MIN_MESSAGE_SIZE);
}
