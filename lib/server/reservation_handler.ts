/**
 * The reservation handler: looks the client's MAC up in the backend and
 * fills the reply with the lease, or answers NAK, or drops the request.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import {
  classifyLookupError,
  LookupOutcome,
} from "../backend/lookup_outcome.ts";
import type { Reservation } from "../backend/reservation.ts";
import { MessageType, OptionCode } from "../dhcp/codes.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import { DhcpOptions } from "../dhcp/options.ts";
import {
  classlessRoutes,
  domainList,
  ip,
  ipList,
  text,
  u8,
} from "../dhcp/option_values.ts";
import { messageTypeOf, withLeaseTime, withYourIp } from "../dhcp/modifiers.ts";
import { DropReason } from "./counters.ts";
import { type Handler, type HandlerContext, Verdict } from "./handler.ts";
import { LookupDeadlines } from "./lookup_deadline.ts";
import { RateLimiter } from "./rate_limit.ts";
import { formatTraceparent } from "../tracing/traceparent.ts";

/** What the reservation handler reports per lookup, for counters. */
export type LookupReport = (outcome: LookupOutcome) => void;

/** Options of {@linkcode reservationHandler}. */
export interface ReservationHandlerOptions {
  /** Called once per lookup with its outcome. */
  onLookup?: LookupReport;
  /**
   * At most this many "lookup failed" log lines per second; the rest are
   * counted and the count is logged with the next line.
   * @default {10}
   */
  failedLogPerSecond?: number;
  /**
   * Only look the reservation up (proxyDHCP): no server-identifier check,
   * no NAK, no lease options; the chain goes on with `context.reservation`.
   * @default {false}
   */
  lookupOnly?: boolean;
}

function requestedAddress(request: DhcpMessage): string | undefined {
  const raw = request.options.get(OptionCode.RequestedIpAddress);
  if (raw !== undefined && raw.length === 4) return ip.decode(raw);
  if (request.clientIp !== "0.0.0.0") return request.clientIp;
  return undefined;
}

/**
 * Turn `reply` into a DHCPNAK (RFC 2131 table 3): message type, server
 * identifier and a message; no address, no other options; client identifier
 * and relay agent information are echoed later by the server.
 *
 * @param reply The reply to rewrite.
 * @param serverIp Our server identifier.
 * @param message Text of option 56.
 */
export function makeNak(
  reply: DhcpMessage,
  serverIp: string,
  message: string,
): void {
  reply.yourIp = "0.0.0.0";
  reply.clientIp = "0.0.0.0";
  // RFC 2131 §4.3.2: through a relay, set the broadcast bit so the relay
  // broadcasts the NAK to the client.
  if (reply.gatewayIp !== "0.0.0.0") reply.flags |= 0x8000;
  reply.serverIp = "0.0.0.0";
  reply.serverName = "";
  reply.bootFileName = "";
  reply.options = new DhcpOptions()
    .setAs(OptionCode.MessageType, u8, MessageType.Nak)
    .setAs(OptionCode.ServerIdentifier, ip, serverIp)
    .setAs(OptionCode.Message, text, message);
}

/**
 * Set the lease options of a reservation on a reply: 1, 3, 6, 12, 15, 28,
 * 42, 119, 121, and for a lease (not INFORM) yiaddr and 51/58/59.
 *
 * @param reply The reply.
 * @param reservation The host's reservation.
 * @param leaseTime Lease time in seconds (never 0).
 * @param withLease `false` for an INFORM answer (no yiaddr, no lease times).
 */
export function applyReservation(
  reply: DhcpMessage,
  reservation: Reservation,
  leaseTime: number,
  withLease: boolean,
): void {
  const o = reply.options;
  if (withLease) {
    withYourIp(reservation.ipAddress)(reply);
    withLeaseTime(leaseTime)(reply);
  }
  const r = reservation;
  if (r.subnetMask) o.setAs(OptionCode.SubnetMask, ip, r.subnetMask);
  if (r.defaultGateway) o.setAs(OptionCode.Router, ip, r.defaultGateway);
  if (r.nameServers?.length) {
    o.setAs(OptionCode.DomainNameServer, ipList, r.nameServers);
  }
  if (r.hostname) o.setAs(OptionCode.HostName, text, r.hostname);
  if (r.domainName) o.setAs(OptionCode.DomainName, text, r.domainName);
  if (r.broadcastAddress) {
    o.setAs(OptionCode.BroadcastAddress, ip, r.broadcastAddress);
  }
  if (r.ntpServers?.length) {
    o.setAs(OptionCode.NtpServers, ipList, r.ntpServers);
  }
  if (r.domainSearch?.length) {
    o.setAs(OptionCode.DomainSearch, domainList, r.domainSearch);
  }
  const routes = r.extensions?.classlessStaticRoutes;
  if (routes?.length) {
    o.setAs(OptionCode.ClasslessStaticRoute, classlessRoutes, routes);
  }
}

async function lookup(
  backend: Backend,
  mac: string,
  context: HandlerContext,
  deadlines: LookupDeadlines,
  onLookup?: LookupReport,
): Promise<Reservation | undefined | Error> {
  try {
    const found = await deadlines.run(
      `Lookup of ${mac}`,
      (signal) =>
        backend.lookup(mac, {
          signal,
          traceparent: formatTraceparent(context.trace),
        }),
    );
    onLookup?.(
      found === undefined ? LookupOutcome.notFound : LookupOutcome.found,
    );
    return found;
  } catch (error) {
    onLookup?.(classifyLookupError(error));
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The reservation handler.
 *
 * - REQUEST naming another server (option 54): dropped, before any lookup.
 * - Unknown MAC: dropped (debug log). Backend error or timeout: dropped
 *   (warn log with the reason). `extensions.dhcpDisabled`: dropped.
 * - REQUEST for an address other than the reservation (option 50, else
 *   ciaddr): NAK.
 * - DISCOVER/REQUEST: the lease; INFORM: the same options without yiaddr
 *   and lease times.
 *
 * @param backend Where reservations come from.
 * @param options Callbacks.
 * @returns The handler.
 * @example
 * ```ts ignore
 * const chain = [reservationHandler(new MemoryBackend(table)), netbootHandler()];
 * ```
 */
export function reservationHandler(
  backend: Backend,
  options: ReservationHandlerOptions = {},
): Handler {
  const failedLog = new RateLimiter(options.failedLogPerSecond ?? 10);
  // One deadline queue per server signal and timeout (in practice: one).
  let deadlines: LookupDeadlines | undefined;
  let deadlinesSignal: AbortSignal | undefined;
  return async (request, reply, context) => {
    const type = messageTypeOf(request);
    const { serverIp, defaultLeaseTime } = context.settings;
    if (type === MessageType.Request && !options.lookupOnly) {
      const sid = request.options.get(OptionCode.ServerIdentifier);
      if (
        sid !== undefined && (sid.length !== 4 || ip.decode(sid) !== serverIp)
      ) {
        context.logger.debug("request for another server ignored", {
          server: sid.length === 4 ? ip.decode(sid) : "malformed",
        });
        context.dropReason = DropReason.otherServer;
        return Verdict.drop;
      }
    }
    const mac = request.clientHardwareAddress;
    if (
      deadlines === undefined || deadlinesSignal !== context.signal ||
      deadlines.timeout !== context.settings.lookupTimeout
    ) {
      deadlines = new LookupDeadlines(
        context.settings.lookupTimeout,
        context.signal,
      );
      deadlinesSignal = context.signal;
    }
    const found = await lookup(
      backend,
      mac,
      context,
      deadlines,
      options.onLookup,
    );
    if (found instanceof Error) {
      if (failedLog.allow()) {
        const suppressed = failedLog.takeSuppressed();
        context.logger.warn("lookup failed, no reply", {
          reason: found.message,
          ...(suppressed ? { suppressed } : {}),
        });
      }
      context.dropReason = DropReason.backendError;
      return Verdict.drop;
    }
    if (found === undefined) {
      context.logger.debug("no reservation, no reply");
      context.dropReason = DropReason.unknownMac;
      return Verdict.drop;
    }
    if (found.extensions?.dhcpDisabled) {
      context.logger.debug("DHCP disabled for this host, no reply");
      context.dropReason = DropReason.dhcpDisabled;
      return Verdict.drop;
    }
    context.reservation = found;
    if (options.lookupOnly) return Verdict.next;
    if (type === MessageType.Request) {
      const wanted = requestedAddress(request);
      if (wanted !== undefined && wanted !== found.ipAddress) {
        context.logger.info("requested address is not the reservation, NAK", {
          requested: wanted,
          reserved: found.ipAddress,
        });
        makeNak(
          reply,
          serverIp,
          `address ${wanted} is not reserved for this client`,
        );
        return Verdict.send;
      }
    }
    const leaseTime = found.leaseTime ? found.leaseTime : defaultLeaseTime;
    applyReservation(reply, found, leaseTime, type !== MessageType.Inform);
    return Verdict.next;
  };
}
