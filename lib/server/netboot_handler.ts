/**
 * The netboot handler: adds boot options to a reply for a host whose
 * netboot is allowed, using {@linkcode decideNetboot}.
 *
 * @module
 */

import { copyBytes } from "../bytes/alloc.ts";
import { MessageType, OptionCode } from "../dhcp/codes.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import { messageTypeOf } from "../dhcp/modifiers.ts";
import { bytes, text } from "../dhcp/option_values.ts";
import { type Handler, Verdict } from "./handler.ts";
import { decideNetboot, type NetbootDecision } from "./netboot.ts";
import { traceparentBytes } from "../tracing/traceparent.ts";

/**
 * Put a netboot decision on a reply: `siaddr`, `file`, options 60, 43, 66
 * (TFTP only) and 67, and the client's 97 (UUID) echoed, as PXE servers do.
 *
 * @param request The decoded request.
 * @param reply The reply being built.
 * @param decision What {@linkcode decideNetboot} chose.
 */
export function applyBootOptions(
  request: DhcpMessage,
  reply: DhcpMessage,
  decision: NetbootDecision,
): void {
  reply.serverIp = decision.nextServer;
  reply.bootFileName = decision.bootFile;
  const o = reply.options;
  o.setAs(OptionCode.VendorClassIdentifier, text, decision.vendorClass);
  o.setAs(OptionCode.VendorSpecificInformation, bytes, decision.vendorOptions);
  if (decision.tftpServerName !== undefined) {
    o.setAs(OptionCode.TftpServerName, text, decision.tftpServerName);
  }
  o.setAs(OptionCode.BootFileName, text, decision.bootFile);
  const uuid = request.options.get(OptionCode.ClientMachineIdentifier);
  if (uuid !== undefined) {
    o.set(OptionCode.ClientMachineIdentifier, copyBytes(uuid));
  }
}

/**
 * The netboot handler. Runs after the reservation handler.
 *
 * - PXE/HTTP boot client, netboot enabled and allowed for the host: `file`,
 *   `siaddr`, options 67, 66 (TFTP only), 60, 43 (sub-options 6 = 8 and
 *   69 = binary traceparent) and 97 echoed when the client sent it.
 * - Any other client whose host has netboot allowed and the extension
 *   `bootFileName` or `tftpServerName`: those as options 67/66 (and `file`).
 * - Netboot not allowed, or disabled globally: nothing; the reply is just
 *   the lease (yiaddr, lease options, siaddr 0.0.0.0, empty file).
 *
 * @returns The handler.
 */
export function netbootHandler(): Handler {
  return (request, reply, context) => {
    const reservation = context.reservation;
    const type = messageTypeOf(reply);
    if (
      reservation === undefined ||
      (type !== MessageType.Offer && type !== MessageType.Ack)
    ) {
      return Verdict.next;
    }
    const decision = decideNetboot(
      request,
      reservation,
      context.settings.netboot,
      traceparentBytes(context.trace),
    );
    if ("reason" in decision) {
      const ext = reservation.extensions;
      if (
        context.settings.netboot.enabled &&
        reservation.netboot?.allowNetboot === true &&
        decision.reason === "not a netboot client"
      ) {
        if (ext?.tftpServerName) {
          reply.options.setAs(
            OptionCode.TftpServerName,
            text,
            ext.tftpServerName,
          );
        }
        if (ext?.bootFileName) {
          reply.bootFileName = ext.bootFileName;
          reply.options.setAs(OptionCode.BootFileName, text, ext.bootFileName);
        }
      }
      context.logger.debug("no boot options", { reason: decision.reason });
      return Verdict.next;
    }
    applyBootOptions(request, reply, decision);
    context.logger.debug("boot options given", {
      rule: decision.rule,
      bootFile: decision.bootFile,
      nextServer: decision.nextServer,
    });
    return Verdict.next;
  };
}
