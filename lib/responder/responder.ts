/**
 * The responder: answers the DHCP server's per-MAC lookups over NATS
 * (CloudEvents request-reply, the tinkerbell/dhcp wire format) from any
 * lookup function. A file-backed one is {@linkcode startFileResponder}; a
 * custom backend is a few lines:
 *
 * ```ts ignore
 * await using responder = await startResponder({
 *   servers: "nats://127.0.0.1:4222",
 *   lookup: (mac) => mac.startsWith("08:00:27:")
 *     ? { macAddress: mac, ipAddress: "192.168.2.10" }
 *     : undefined,
 * });
 * ```
 *
 * @module
 */
import type { CloudEvent } from "../types/cloudevents.ts";
import type { Subscription } from "@nats-io/nats-core";
import type { Msg, NatsConnection } from "../types/nats.ts";
import { connect } from "@nats-io/transport-node";
import type { Reservation } from "../backend/reservation.ts";
import {
  decodeEventRecord,
  encodeStructured,
} from "../cloudevents/nats_binding.ts";
import {
  decodeLookupRequest,
  DEFAULT_SUBJECT,
  encodeLookupError,
  encodeLookupReply,
  EVENT_SOURCE,
  READ_EVENT_TYPE,
  type ReplyFormat,
} from "../nats/wire.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { DEFAULT_NATS_URL } from "../nats/urls.ts";
import {
  DEFAULT_QUEUE,
  DEFAULT_SERVICE_NAME,
  type LookupFunction,
  type ResponderOptions,
  type ResponderStats,
} from "./responder_options.ts";

export { DEFAULT_QUEUE, DEFAULT_SERVICE_NAME };
export type {
  LookupContext,
  LookupFunction,
  ResponderOptions,
  ResponderStats,
} from "./responder_options.ts";
import {
  checkServiceName,
  type MicroService,
  registerMicroService,
} from "./micro_service.ts";

/**
 * A running responder. Create it with {@linkcode startResponder}; stop it
 * with {@linkcode Responder.drain} (or `await using`), which answers every
 * request already received before returning.
 */
export class Responder implements AsyncDisposable {
  readonly #nc: NatsConnection;
  readonly #ownsConnection: boolean;
  readonly #options: ResponderOptions;
  readonly #logger: Logger;
  readonly #format: ReplyFormat;
  readonly #sub: Subscription;
  readonly #service: MicroService | undefined;
  readonly #stats: ResponderStats = {
    requests: 0,
    found: 0,
    notFound: 0,
    errors: 0,
    badRequests: 0,
  };
  #processingNanos = 0;
  #lastError = "";
  #pending = 0;
  #idle: (() => void) | undefined;
  #draining: Promise<void> | undefined;
  #onAbort = () => void this.drain();

  /** The subject served. */
  readonly subject: string;
  /** The queue group joined. */
  readonly queue: string;

  /**
   * Subscribe on `nc`; prefer {@linkcode startResponder}, which connects.
   *
   * @param nc An open connection.
   * @param ownsConnection Whether {@linkcode Responder.drain} closes `nc`.
   * @param options The responder's options.
   */
  constructor(
    nc: NatsConnection,
    ownsConnection: boolean,
    options: ResponderOptions,
  ) {
    this.#nc = nc;
    this.#ownsConnection = ownsConnection;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#format = options.replyFormat ?? "v2";
    this.subject = options.subject ?? DEFAULT_SUBJECT;
    this.queue = options.queue ?? DEFAULT_QUEUE;
    const name = options.serviceName ?? DEFAULT_SERVICE_NAME;
    if (name !== false) checkServiceName(name, options.serviceVersion);
    this.#sub = nc.subscribe(this.subject, {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) {
          this.#logger.error("Subscription failed", { error: err.message });
          return;
        }
        this.#handle(msg);
      },
    });
    this.#service = name === false ? undefined : registerMicroService(nc, {
      name,
      version: options.serviceVersion ?? "0.1.0",
      description: "Answers DHCP reservation lookups (tinkerbell/dhcp NATS)",
      endpoints: [{
        name: "lookup",
        subject: this.subject,
        queueGroup: this.queue,
        stats: () => this.#endpointStats(),
      }],
    });
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (options.signal?.aborted) queueMicrotask(this.#onAbort);
    this.#logger.info("Responder started", {
      subject: this.subject,
      queue: this.queue,
      replyFormat: this.#format,
      id: this.#service?.id,
    });
  }

  /** A snapshot of the counters. */
  get stats(): ResponderStats {
    return { ...this.#stats };
  }

  /** The micro-service instance id, when registered. */
  get id(): string | undefined {
    return this.#service?.id;
  }

  /** The connection in use. */
  get connection(): NatsConnection {
    return this.#nc;
  }

  #endpointStats() {
    const n = this.#stats.requests;
    const errors = this.#stats.errors + this.#stats.badRequests;
    const total = Math.round(this.#processingNanos);
    return {
      num_requests: n,
      num_errors: errors,
      last_error: this.#lastError,
      processing_time: total,
      average_processing_time: n ? Math.trunc(total / n) : 0,
      data: { ...this.#stats },
    };
  }

  #handle(msg: Msg): void {
    this.#stats.requests++;
    const started = performance.now();
    let mac: string;
    let traceparent: string;
    try {
      const record = decodeEventRecord(msg.data, msg.headers);
      ({ mac, traceparent } = decodeLookupRequest(record.data));
    } catch (err) {
      this.#stats.badRequests++;
      const message = err instanceof Error ? err.message : String(err);
      this.#lastError = message;
      this.#logger.warn("Dropped a malformed lookup request", {
        error: message,
        reply: msg.reply ? "error 400" : "none",
      });
      if (this.#format === "v2") {
        this.#send(msg, encodeLookupError(400, message), "");
      }
      this.#processingNanos += (performance.now() - started) * 1e6;
      return;
    }
    let result: ReturnType<LookupFunction>;
    try {
      result = this.#options.lookup(mac, { traceparent });
    } catch (err) {
      this.#failed(msg, mac, err, started);
      return;
    }
    if (result instanceof Promise) {
      this.#pending++;
      result.then(
        (r) => this.#answer(msg, mac, r, started),
        (err) => this.#failed(msg, mac, err, started),
      ).finally(() => {
        if (--this.#pending === 0) this.#idle?.();
      });
    } else {
      this.#answer(msg, mac, result, started);
    }
  }

  #answer(
    msg: Msg,
    mac: string,
    reservation: Reservation | undefined,
    started: number,
  ): void {
    if (reservation && !reservation.macAddress) {
      reservation = { ...reservation, macAddress: mac };
    }
    let data: unknown;
    try {
      data = encodeLookupReply(reservation, this.#format, {
        defaultLeaseTime: this.#options.defaultLeaseTime,
      });
    } catch (err) {
      this.#failed(msg, mac, err, started);
      return;
    }
    if (reservation) this.#stats.found++;
    else this.#stats.notFound++;
    if (this.#logger.enabled("debug")) {
      this.#logger.debug("Lookup answered", {
        mac,
        found: reservation !== undefined,
        ip: reservation?.ipAddress,
      });
    }
    if (data !== undefined) this.#send(msg, data, mac);
    this.#processingNanos += (performance.now() - started) * 1e6;
  }

  #failed(msg: Msg, mac: string, err: unknown, started: number): void {
    this.#stats.errors++;
    const message = `Lookup of ${mac} failed: ${
      err instanceof Error ? err.message : String(err)
    }`;
    this.#lastError = message;
    this.#logger.error("Lookup failed", { mac, error: message });
    if (this.#format === "v2") {
      this.#send(msg, encodeLookupError(500, message), mac);
    }
    this.#processingNanos += (performance.now() - started) * 1e6;
  }

  #send(msg: Msg, data: unknown, mac: string): void {
    if (!msg.reply) return;
    const event: CloudEvent = {
      specversion: "1.0",
      id: crypto.randomUUID(),
      source: EVENT_SOURCE,
      type: READ_EVENT_TYPE,
      subject: mac || undefined,
      datacontenttype: "application/json",
      data,
    };
    try {
      msg.respond(encodeStructured(event));
    } catch (err) {
      this.#logger.warn("Could not send a lookup reply", {
        mac,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Stop taking requests, answer every request already received (including
   * lookups still running), flush the replies, and close the connection when
   * the responder opened it. Idempotent.
   */
  drain(): Promise<void> {
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  async #drain(): Promise<void> {
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#service?.stop();
    const nc = this.#nc;
    if (!nc.isClosed()) {
      if (!this.#sub.isClosed()) await this.#sub.drain().catch(() => {});
    }
    if (this.#pending > 0) {
      await new Promise<void>((resolve) => (this.#idle = resolve));
    }
    if (!nc.isClosed()) {
      await nc.flush().catch(() => {});
      if (this.#ownsConnection) await nc.drain().catch(() => {});
    }
    this.#logger.info("Responder stopped", { ...this.#stats });
  }

  /** Same as {@linkcode Responder.drain}. */
  close(): Promise<void> {
    return this.drain();
  }

  /** Drains the responder. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.drain();
  }
}

/**
 * Connect (unless `nc` is given) and start answering lookups.
 *
 * @param options The lookup function, connection, subject, queue group and
 * reply format.
 * @returns The running responder.
 * @throws {Error} When the NATS server cannot be reached.
 * @throws {TypeError} When the service name or version is invalid.
 *
 * @example
 * ```ts ignore
 * await using responder = await startResponder({
 *   servers: "nats://127.0.0.1:4222",
 *   lookup: (mac) => table.get(mac),
 * });
 * ```
 */
export async function startResponder(
  options: ResponderOptions,
): Promise<Responder> {
  if (typeof options.lookup !== "function") {
    throw new TypeError("Cannot start the responder: lookup is not a function");
  }
  if (options.nc) return ready(new Responder(options.nc, false, options));
  const nc = await connectResponder(options);
  let responder: Responder;
  try {
    responder = new Responder(nc, true, options);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return ready(responder);
}

/**
 * Connect to NATS as the responder does (reconnecting forever, connection
 * events logged), for a responder that needs the connection before it
 * starts (the KV-backed one reads its bucket first).
 *
 * @param options `servers`, `connectOptions` and `logger` of
 * {@linkcode ResponderOptions}.
 * @returns The open connection.
 * @throws {Error} When NATS cannot be reached (the message names the URLs).
 */
export async function connectResponder(
  options: Pick<ResponderOptions, "servers" | "connectOptions" | "logger">,
): Promise<NatsConnection> {
  const servers = options.servers ?? DEFAULT_NATS_URL;
  let nc: NatsConnection;
  try {
    nc = await connect({
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      name: "dhcp-nats responder",
      ...options.connectOptions,
      servers,
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`Cannot connect to NATS at ${servers}: ${reason}`, {
      cause,
    });
  }
  void logStatus(nc, options.logger ?? silentLogger);
  return nc;
}

/** Resolves once the server has the responder's subscriptions. */
async function ready(responder: Responder): Promise<Responder> {
  await responder.connection.flush();
  return responder;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === "disconnect") {
      logger.warn("Disconnected from NATS", { server: s.server });
    } else if (s.type === "reconnect") {
      logger.info("Reconnected to NATS", { server: s.server });
    }
  }
}
