/**
 * The last step of a reply: keep the options the client asked for (option
 * 55), order them, echo the client identifier (61) and relay agent
 * information (82), work out the size limit (option 57), and encode within
 * it, leaving out what does not fit (RFC 2131 §4.3.1).
 *
 * @module
 */
import { OptionCode } from "../dhcp/codes.ts";
import { OptionsDoNotFitError } from "../dhcp/errors.ts";
import { type DhcpMessage, encodeMessage } from "../dhcp/message.ts";
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

/**
 * Smallest IP datagram every DHCP client must accept (RFC 2131 §2), and
 * the smallest legal option 57 (RFC 2132 §9.10).
 */
export const MIN_DATAGRAM_SIZE = 576;
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
 * The largest reply (UDP payload) the client accepts. Option 57 counts the
 * whole IP datagram (RFC 2132 §9.10), so the 28 bytes of IP and UDP
 * headers come off; a value under 576 (illegal) counts as 576, and without
 * the option the client gets a 576-byte datagram at most: 548 bytes of
 * DHCP message (RFC 2131 §2).
 *
 * @param request The decoded request.
 * @returns The `maxSize` for `encodeMessage`.
 * @example
 * ```ts
 * import { replyMaxSize } from "./reply_options.ts";
 * import { decodeMessage } from "../dhcp/message.ts";
 * const bytes = new Uint8Array(244);
 * bytes.set([1, 1, 6], 0);
 * bytes.set([99, 130, 83, 99, 53, 1, 1, 255], 236);
 * if (replyMaxSize(decodeMessage(bytes)) !== 548) throw new Error();
 * ```
 */
export function replyMaxSize(request: DhcpMessage): number {
  const raw = request.options.get(OptionCode.MaximumMessageSize);
  const asked = raw !== undefined && raw.length === 2
    ? raw[0] << 8 | raw[1]
    : 0;
  return Math.max(asked, MIN_DATAGRAM_SIZE) - IP_UDP_HEADERS;
}

/**
 * Options a reply keeps whatever its size (RFC 2131 §4.3.1 asks for "as
 * many of the requested parameters as possible"; these come first): the
 * message type, server identifier, lease times, mask, router, the NAK
 * message, the boot options of a netboot reply, and the 61/82 echoes.
 */
export const KEPT_WHEN_TRIMMED: ReadonlySet<number> = new Set([
  ...ALWAYS_SENT,
  OptionCode.ClientIdentifier,
  OptionCode.RelayAgentInformation,
]);

/** An encoded reply, and the options left out to make it fit. */
export interface EncodedReply {
  /** The UDP payload. */
  bytes: Uint8Array;
  /** Codes of the options left out, in the order they were dropped. */
  omitted: number[];
}

/**
 * Encode a finalized reply within the client's size limit
 * ({@linkcode replyMaxSize}). When the options do not fit even with
 * overload, options are left out from the end of the order
 * {@linkcode finalizeOptions} gave (first those the client did not ask for,
 * then its option 55 from the last), never one of
 * {@linkcode KEPT_WHEN_TRIMMED}, until the rest fits.
 *
 * @param request The decoded request.
 * @param reply The finalized reply; options left out are deleted from it.
 * @returns The bytes and what was left out.
 * @throws {OptionsDoNotFitError} When the kept options alone do not fit.
 * @throws {RangeError|TypeError} For a header field the encoder refuses.
 */
export function encodeReply(
  request: DhcpMessage,
  reply: DhcpMessage,
): EncodedReply {
  const maxSize = replyMaxSize(request);
  const omitted: number[] = [];
  for (;;) {
    try {
      return { bytes: encodeMessage(reply, { maxSize }), omitted };
    } catch (error) {
      if (!(error instanceof OptionsDoNotFitError)) throw error;
      const last = reply.options.codes().findLast((code) =>
        !KEPT_WHEN_TRIMMED.has(code)
      );
      if (last === undefined) throw error;
      reply.options.delete(last);
      omitted.push(last);
    }
  }
}
