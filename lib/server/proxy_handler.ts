/**
 * proxyDHCP (Intel PXE 2.1, section 2.2.4): another server gives out the
 * addresses; this one answers netboot clients with boot information only.
 * The client merges the two offers.
 *
 * A proxy reply has yiaddr 0, option 54 (ours), 60 (`PXEClient` or
 * `HTTPClient`), 43 (discovery control 8: boot from the file in this
 * reply), the client's 97 echoed, siaddr and the boot file; never a lease
 * option (51, 58, 59, 1, 3, 6, ...) and never a NAK.
 *
 * Port 67: DISCOVER gets an OFFER; a REQUEST gets an ACK only when its
 * option 54 names us (else it is the other server's). Port 4011 (the PXE
 * boot server port): REQUEST and INFORM get an ACK.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Reservation } from "../backend/reservation.ts";
import { MessageType, OptionCode } from "../dhcp/codes.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import { messageTypeOf } from "../dhcp/modifiers.ts";
import { ip } from "../dhcp/option_values.ts";
import { CLIENT_PORT, PXE_PORT } from "./addressing.ts";
import { type Counters, DropReason } from "./counters.ts";
import { type Handler, type HandlerContext, Verdict } from "./handler.ts";
import { decideNetboot, netbootClientKind } from "./netboot.ts";
import { applyBootOptions } from "./netboot_handler.ts";
import type { ProxyMode } from "./options.ts";
import { reservationHandler } from "./reservation_handler.ts";
import { traceparentBytes } from "../tracing/traceparent.ts";

/** Which socket a request came in on: DHCP (67) or PXE boot server (4011). */
export type ProxyPort = "dhcp" | "pxe";

/** Options of {@linkcode proxyHandlers}. */
export interface ProxyHandlersOptions {
  /** `reserved`: look the MAC up; `all`: every netboot client. */
  mode: Exclude<ProxyMode, "off">;
  /** The socket the chain serves. */
  via: ProxyPort;
}

function drop(context: HandlerContext, reason: DropReason, why: string) {
  context.logger.debug(`proxyDHCP: ${why}, no reply`);
  context.dropReason = reason;
  return Verdict.drop;
}

/**
 * Why a proxyDHCP server does not answer this request, or `undefined`
 * when it does.
 *
 * @param request The decoded request.
 * @param via The socket it came in on.
 * @param serverIp Our server identifier.
 * @returns The drop reason and a log text, or `undefined`.
 */
export function proxyRefusal(
  request: DhcpMessage,
  via: ProxyPort,
  serverIp: string,
): { reason: DropReason; why: string } | undefined {
  if (netbootClientKind(request) === undefined) {
    return {
      reason: DropReason.notNetbootClient,
      why: "not a netboot client",
    };
  }
  const type = messageTypeOf(request);
  if (via === "pxe") {
    if (type === MessageType.Request || type === MessageType.Inform) {
      return undefined;
    }
    return {
      reason: DropReason.notNetbootClient,
      why: "only REQUEST and INFORM are answered on the PXE port",
    };
  }
  if (type === MessageType.Discover) return undefined;
  if (type === MessageType.Request) {
    const sid = request.options.get(OptionCode.ServerIdentifier);
    if (sid?.length === 4 && ip.decode(sid) === serverIp) return undefined;
    return {
      reason: DropReason.otherServer,
      why: "REQUEST for the address server",
    };
  }
  return {
    reason: DropReason.notNetbootClient,
    why: "message type not answered by a proxy",
  };
}

/**
 * Whether the PXE socket takes a datagram from `sourcePort`: on the real
 * port 4011 only from 68 (iPXE) or 4011 (EDK2), since the reply goes back
 * to the source port and must not be reflected at another service; on a
 * test port, any.
 *
 * @param listenPort The PXE socket's port.
 * @param sourcePort The datagram's source port.
 * @returns `true` when it may be answered.
 * @example
 * ```ts
 * import { pxeSourceAccepted } from "./proxy_handler.ts";
 * if (!pxeSourceAccepted(4011, 4011) || pxeSourceAccepted(4011, 53)) throw new Error();
 * ```
 */
export function pxeSourceAccepted(
  listenPort: number,
  sourcePort: number,
): boolean {
  return listenPort !== PXE_PORT || sourcePort === CLIENT_PORT ||
    sourcePort === PXE_PORT;
}

function gate(via: ProxyPort): Handler {
  return (request, _reply, context) => {
    const refused = proxyRefusal(request, via, context.settings.serverIp);
    return refused === undefined
      ? Verdict.next
      : drop(context, refused.reason, refused.why);
  };
}

/** `all` mode: every netboot client is treated as allowed to netboot. */
function anyHost(): Handler {
  return (request, _reply, context) => {
    const host: Reservation = {
      macAddress: request.clientHardwareAddress,
      ipAddress: "0.0.0.0",
      netboot: { allowNetboot: true },
    };
    context.reservation = host;
    return Verdict.next;
  };
}

function bootInformation(): Handler {
  return (request, reply, context) => {
    const decision = decideNetboot(
      request,
      context.reservation!,
      context.settings.netboot,
      traceparentBytes(context.trace),
    );
    if ("reason" in decision) {
      return drop(context, DropReason.noNetboot, decision.reason);
    }
    applyBootOptions(request, reply, decision);
    // A proxy offer without siaddr is "Nothing to boot" for iPXE, even
    // when the file is a URL: name ourselves.
    if (reply.serverIp === "0.0.0.0") {
      reply.serverIp = context.settings.serverIp;
    }
    return Verdict.send;
  };
}

/**
 * The proxyDHCP handler chain for one socket: refuse what a proxy does not
 * answer, look the MAC up (`reserved`) or not (`all`), then boot
 * information only.
 *
 * @param backend Where reservations come from (unused in `all` mode).
 * @param counters Counters to record lookup outcomes in.
 * @param options Mode and socket.
 * @returns The chain.
 * @example
 * ```ts ignore
 * const chain = proxyHandlers(backend, counters, { mode: "reserved", via: "pxe" });
 * ```
 */
export function proxyHandlers(
  backend: Backend,
  counters: Counters,
  options: ProxyHandlersOptions,
): Handler[] {
  return [
    gate(options.via),
    options.mode === "all" ? anyHost() : reservationHandler(backend, {
      onLookup: (o) => counters.lookup(o),
      lookupOnly: true,
    }),
    bootInformation(),
  ];
}
