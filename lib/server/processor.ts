/**
 * One request in, at most one reply out: decode, map the message type, run
 * the handler chain, finalize the options, encode, and decide the
 * destination. No sockets here, so unit tests drive it with bytes.
 *
 * @module
 */
import { MessageType, messageTypeName } from "../dhcp/codes.ts";
import { decodeMessage, type DhcpMessage } from "../dhcp/message.ts";
import {
  createReply,
  messageTypeOf,
  withMessageType,
  withServerIdentifier,
} from "../dhcp/modifiers.ts";
import { hexNumber } from "../bytes/hex.ts";
import type { Logger } from "../log/logger.ts";
import { type ReplyDestination, replyDestination } from "./addressing.ts";
import { Counters, DropReason } from "./counters.ts";
import { type Handler, type HandlerContext, runChain } from "./handler.ts";
import type { ServerSettings } from "./options.ts";
import { RateLimiter } from "./rate_limit.ts";
import { encodeReply, finalizeOptions, replyMaxSize } from "./reply_options.ts";
import { lazyChild } from "./lazy_logger.ts";
import { newTraceContext } from "../tracing/traceparent.ts";
import { describePacket } from "./packet_log.ts";
import { startTransactionSpan } from "../tracing/spans.ts";

/** Where a datagram came from. */
export interface DatagramSource {
  /** Source address. */
  address: string;
  /** Source port. */
  port: number;
  /** Receiving interface index, when known. */
  interfaceIndex?: number;
}

/** The outcome of one request that gets a reply. */
export interface ProcessedReply {
  /** The encoded reply. */
  bytes: Uint8Array;
  /** The reply before encoding. */
  reply: DhcpMessage;
  /** Where it goes. */
  destination: ReplyDestination;
}

/** Options of {@linkcode PacketProcessor}. */
export interface PacketProcessorOptions {
  /** Resolved settings. */
  settings: ServerSettings;
  /** The handler chain. */
  handlers: readonly Handler[];
  /** Logger. */
  logger: Logger;
  /** Counters to update. */
  counters?: Counters;
}

/** An all-zero chaddr: no client hardware address. */
const NO_MAC = "00:00:00:00:00:00";

const REPLY_TYPE: Partial<Record<number, MessageType>> = {
  [MessageType.Discover]: MessageType.Offer,
  [MessageType.Request]: MessageType.Ack,
  [MessageType.Inform]: MessageType.Ack,
};

/**
 * Processes requests. Each call is independent, so many run concurrently;
 * at most `settings.maxInFlight` at a time, the rest are dropped and counted.
 *
 * @example
 * ```ts ignore
 * const processor = new PacketProcessor({ settings, handlers, logger });
 * const out = await processor.process(bytes, { address: "127.0.0.1", port: 40000 });
 * if (out) await socket.send(out.bytes, out.destination.address, out.destination.port);
 * ```
 */
export class PacketProcessor {
  /** The counters. */
  readonly counters: Counters;
  #settings: ServerSettings;
  #handlers: readonly Handler[];
  #logger: Logger;
  #malformedLog: RateLimiter;
  #abort = new AbortController();

  /**
   * Create a processor.
   *
   * @param options Settings, handlers, logger, counters.
   */
  constructor(options: PacketProcessorOptions) {
    this.#settings = options.settings;
    this.#handlers = options.handlers;
    this.#logger = options.logger;
    this.counters = options.counters ?? new Counters();
    this.#malformedLog = new RateLimiter(
      options.settings.malformedLogPerSecond,
    );
  }

  /** Abort every lookup in flight (on shutdown). */
  abort(): void {
    this.#abort.abort(new Error("The DHCP server is closing"));
  }

  #malformed(error: unknown, source: DatagramSource): void {
    this.counters.packetIn("malformed");
    this.counters.drop(DropReason.malformed);
    if (this.#malformedLog.allow()) {
      const suppressed = this.#malformedLog.takeSuppressed();
      this.#logger.warn("malformed packet dropped", {
        from: `${source.address}:${source.port}`,
        reason: error instanceof Error ? error.message : String(error),
        ...(suppressed ? { suppressed } : {}),
      });
    }
  }

  /**
   * Handle one datagram.
   *
   * @param data The UDP payload.
   * @param source Where it came from.
   * @returns The reply and its destination, or `undefined` when there is none.
   */
  async process(
    data: Uint8Array,
    source: DatagramSource,
  ): Promise<ProcessedReply | undefined> {
    let request: DhcpMessage;
    let type: number | undefined;
    try {
      request = decodeMessage(data);
      type = messageTypeOf(request);
    } catch (error) {
      this.#malformed(error, source);
      return undefined;
    }
    const typeName = type === undefined
      ? "BOOTP"
      : messageTypeName(type).toUpperCase();
    this.counters.packetIn(request.op === 1 ? typeName : "BOOTREPLY");
    const log = lazyChild(this.#logger, () => ({
      mac: request.clientHardwareAddress,
      xid: "0x" + hexNumber(request.transactionId, 8),
      type: typeName,
      from: `${source.address}:${source.port}`,
      ...(source.interfaceIndex !== undefined
        ? { ifindex: source.interfaceIndex }
        : {}),
    }));
    if (log.enabled("debug")) log.debug("packet", describePacket(request));
    if (request.op !== 1) {
      log.debug("not a BOOTREQUEST, dropped");
      this.counters.drop(DropReason.unsupported);
      return undefined;
    }
    if (type === MessageType.Release) {
      log.info("release received, nothing to do for a reservation", {
        clientIp: request.clientIp,
      });
      return undefined;
    }
    if (type === MessageType.Decline) {
      // The client found the reserved address in use (ARP): a conflict for
      // the operator to fix; the server keeps offering the reservation.
      const raw = request.options.get(50);
      log.warn(
        "decline received: the reserved address is in use by another host",
        {
          address: raw?.length === 4 ? raw.join(".") : undefined,
        },
      );
      return undefined;
    }
    const replyType = type === undefined ? undefined : REPLY_TYPE[type];
    if (replyType === undefined) {
      log.debug("message type not answered, dropped");
      this.counters.drop(DropReason.unsupported);
      return undefined;
    }
    // Reservations are keyed by 6-octet MACs: another length, or no MAC
    // at all, must not reach the backend as a lookup of "" or 16 bytes.
    if (
      request.hardwareLength !== 6 ||
      request.clientHardwareAddress === NO_MAC
    ) {
      this.counters.drop(DropReason.badHardwareAddress);
      log.debug("no 6-octet client hardware address, dropped", {
        hlen: request.hardwareLength,
      });
      return undefined;
    }
    if (this.counters.inFlight >= this.#settings.maxInFlight) {
      this.counters.drop(DropReason.overloaded);
      log.debug("too many lookups in flight, dropped");
      return undefined;
    }
    this.counters.inFlight++;
    try {
      return await this.#answer(request, replyType, source, log);
    } finally {
      this.counters.inFlight--;
    }
  }

  async #answer(
    request: DhcpMessage,
    replyType: MessageType,
    source: DatagramSource,
    log: Logger,
  ): Promise<ProcessedReply | undefined> {
    const reply = createReply(
      request,
      withMessageType(replyType),
      withServerIdentifier(this.#settings.serverIp),
    );
    const started = performance.now();
    // With OpenTelemetry on, the transaction's span gives its trace ids.
    const span = startTransactionSpan(
      request.clientHardwareAddress,
      messageTypeName(messageTypeOf(request) ?? 0).toUpperCase(),
    );
    const context: HandlerContext = {
      settings: this.#settings,
      logger: log,
      signal: this.#abort.signal,
      trace: span?.trace ?? newTraceContext(),
    };
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    let verdict: "send" | "drop";
    try {
      verdict = await runChain(this.#handlers, request, reply, context);
    } catch (error) {
      log.warn("handler failed, no reply", {
        reason: error instanceof Error ? error.message : String(error),
      });
      this.counters.drop(DropReason.handler);
      span?.end(DropReason.handler);
      return undefined;
    }
    if (verdict === "drop") {
      const reason = context.dropReason ?? DropReason.handler;
      this.counters.drop(reason);
      span?.end(reason);
      // One line per transaction (a failed lookup has its own, rate-limited).
      if (reason !== DropReason.backendError && log.enabled("info")) {
        log.info("no reply", { reason, ms: ms() });
      }
      return undefined;
    }
    finalizeOptions(request, reply);
    let bytes: Uint8Array;
    try {
      const encoded = encodeReply(request, reply);
      bytes = encoded.bytes;
      if (encoded.omitted.length > 0) {
        this.counters.optionsOmitted(encoded.omitted);
        log.debug("options left out: the reply is over the client's size", {
          omitted: encoded.omitted.join(","),
          maxSize: replyMaxSize(request),
        });
      }
    } catch (error) {
      log.warn("cannot encode the reply, no reply", {
        reason: error instanceof Error ? error.message : String(error),
      });
      this.counters.drop(DropReason.sendError);
      span?.end(DropReason.sendError);
      return undefined;
    }
    const sentType = messageTypeOf(reply) ?? replyType;
    const destination = replyDestination({
      gatewayIp: request.gatewayIp,
      clientIp: request.clientIp,
      sourceAddress: source.address,
      sourcePort: source.port,
      listenPort: this.#settings.listenPort,
    }, sentType);
    if (log.enabled("info")) {
      log.info("reply", {
        reply: messageTypeName(sentType).toUpperCase(),
        ip: reply.yourIp,
        to: `${destination.address}:${destination.port}`,
        ...(reply.bootFileName ? { bootFile: reply.bootFileName } : {}),
        ms: ms(),
      });
    }
    span?.end(messageTypeName(sentType).toUpperCase());
    return { bytes, reply, destination };
  }
}
