/**
 * The DHCP server's backend over NATS: one CloudEvents request per lookup,
 * in tinkerbell/dhcp's wire format.
 *
 * @module
 */

import type { ConnectionOptions, NatsConnection } from "../types/nats.ts";
import { connect } from "@nats-io/transport-node";
import type { Backend, LookupOptions } from "../backend/backend.ts";
import type { Reservation } from "../backend/reservation.ts";
import {
  decodeEventRecord,
  encodeStructured,
} from "../cloudevents/nats_binding.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { canonicalMac } from "../net/mac.ts";
import { DEFAULT_NATS_URL } from "./urls.ts";
import { InvalidReplyError } from "../backend/errors.ts";
import { RequestMux } from "./request_mux.ts";
import { newTraceparent } from "../tracing/traceparent.ts";
import {
  decodeLookupReply,
  DEFAULT_LEASE_TIME,
  DEFAULT_SUBJECT,
  encodeLookupRequest,
  EVENT_SOURCE,
  READ_EVENT_TYPE,
} from "./wire.ts";

// Event IDs: a random per-process prefix and a counter, unique per source as
// CloudEvents requires, without a call into the RNG per lookup.
const idPrefix = crypto.randomUUID();
let idCounter = 0;

/** Options of {@linkcode NatsBackend}. */
export interface NatsBackendOptions {
  /**
   * A connection owned by the caller (not closed by the backend). When
   * absent the backend connects to `servers` itself on first use.
   */
  nc?: NatsConnection;
  /**
   * NATS server URL(s) to connect to when no `nc` is given.
   * @default {"nats://127.0.0.1:4222"}
   */
  servers?: string | string[];
  /**
   * Further nats.js connection options (auth, name, ...) for `servers`.
   * `noAsyncTraces` defaults to `true` here (cheaper requests; errors keep
   * their type and message).
   */
  connectOptions?: Omit<ConnectionOptions, "servers">;
  /**
   * Subject the lookups go to.
   * @default {"tinkerbell.dhcp"}
   */
  subject?: string;
  /**
   * Milliseconds to wait for a reply.
   * @default {5000}
   */
  timeout?: number;
  /**
   * How lookups are batched into writes. 0: the lookups of one event-loop
   * turn are published together at its end, so batches form only under
   * load (one write instead of one per lookup, and the NATS server and
   * responders handle them as a batch: a third less CPU for them) and an
   * idle server adds no delay. Above 0: lookups are held this many
   * milliseconds (bigger batches, up to that much extra latency).
   * @default {0}
   */
  batchMs?: number;
  /**
   * Lease time in seconds used when a reply has none or 0.
   * @default {86400}
   */
  defaultLeaseTime?: number;
  /**
   * Where each lookup is logged (debug level).
   * @default {silentLogger}
   */
  logger?: Logger;
}

/**
 * Looks reservations up over NATS request-reply with CloudEvents: the
 * request is `org.tinkerbell.backend.read` from `/tinkerbell/dhcp` with
 * `{MacAddress, Traceparent}` data; the reply may be v1 or v2.
 *
 * One request per lookup: coalescing, the cache, the per-MAC limit and the
 * fail-fast guard are layered on top by `createLookupStack`
 * (lookup_stack.ts), the one place the DHCP server's lookups are built.
 *
 * Lookups reject with `LookupTimeoutError`, `NoResponderError` (at once),
 * `InvalidEventError` (the reply is not a CloudEvent), `InvalidReplyError`
 * (its data is malformed, or is for another MAC) or `BackendError`.
 *
 * @example
 * ```ts ignore
 * await using backend = new NatsBackend({ servers: "nats://127.0.0.1:4222" });
 * const reservation = await backend.lookup("08:00:27:29:4e:67");
 * ```
 */
export class NatsBackend implements Backend, AsyncDisposable {
  readonly #options: NatsBackendOptions;
  readonly #subject: string;
  readonly #timeout: number;
  readonly #defaultLeaseTime: number;
  readonly #logger: Logger;
  #connecting: Promise<NatsConnection> | undefined;
  #owned: NatsConnection | undefined;
  /** The connection once known, to skip an await per lookup. */
  #ready: NatsConnection | undefined;
  #closed = false;
  /** Requests share one reply subscription on the connection. */
  #mux: RequestMux | undefined;
  #muxConnection: NatsConnection | undefined;

  /**
   * Create the backend; it connects on first use unless given `nc`.
   *
   * @param options Connection, subject, timeout and lease time.
   */
  constructor(options: NatsBackendOptions = {}) {
    this.#options = options;
    this.#subject = options.subject ?? DEFAULT_SUBJECT;
    this.#timeout = options.timeout ?? 5000;
    this.#defaultLeaseTime = options.defaultLeaseTime ?? DEFAULT_LEASE_TIME;
    this.#logger = options.logger ?? silentLogger;
    if (options.nc) {
      this.#connecting = Promise.resolve(options.nc);
      this.#ready = options.nc;
    }
  }

  /**
   * Create a backend and make sure it is connected, so a wrong server
   * address fails at start-up rather than on the first DHCP packet.
   *
   * @throws {Error} When the NATS server cannot be reached.
   */
  static async connect(options: NatsBackendOptions = {}): Promise<NatsBackend> {
    const backend = new NatsBackend(options);
    await backend.connection();
    return backend;
  }

  /** The subject lookups go to. */
  get subject(): string {
    return this.#subject;
  }

  /**
   * The NATS connection, connecting first when the backend owns it.
   *
   * @throws {Error} When connecting fails or the backend is closed.
   */
  connection(): Promise<NatsConnection> {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot look up: the backend is closed"));
    }
    if (this.#connecting === undefined) {
      const servers = this.#options.servers ?? DEFAULT_NATS_URL;
      const connecting = connect({
        // nats.js otherwise builds two or three Error objects (stack traces)
        // per request for async traces: a sizeable share of a lookup's CPU.
        noAsyncTraces: true,
        ...this.#options.connectOptions,
        servers,
      }).then((nc) => {
        this.#owned = nc;
        this.#ready = nc;
        return nc;
      }, (cause) => {
        this.#connecting = undefined; // try again on the next lookup
        throw new Error(
          `Cannot connect to NATS at ${servers}: ${cause?.message ?? cause}`,
          { cause },
        );
      });
      this.#connecting = connecting;
    }
    return this.#connecting;
  }

  /**
   * Look one MAC up over NATS.
   *
   * @param mac Colon (or dash) hex, any case.
   * @param options Signal and the transaction's W3C trace context (a new
   *   one is generated when absent).
   * @returns The reservation, or `undefined` when the responder says 404.
   * @throws {TypeError} When `mac` is not a MAC address (lib/net/mac.ts).
   */
  lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    let normal: string;
    try {
      normal = canonicalMac(mac);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#request(normal, options);
  }

  async #request(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    const nc = !this.#closed && this.#ready
      ? this.#ready
      : await this.connection();
    const traceparent = options.traceparent || newTraceparent();
    // A plain event object, not a `CloudEvent` instance (whose constructor
    // copies and validates); `time` is optional and Go ignores it, leaving
    // it out saves a Date.
    const payload = encodeStructured({
      specversion: "1.0",
      id: `${idPrefix}-${(idCounter++).toString(36)}`,
      source: EVENT_SOURCE,
      type: READ_EVENT_TYPE,
      datacontenttype: "application/json",
      subject: mac,
      data: encodeLookupRequest(mac, traceparent),
    });
    const debug = this.#logger.enabled("debug");
    const started = debug ? performance.now() : 0;
    if (this.#mux === undefined || this.#muxConnection !== nc) {
      this.#mux?.close();
      this.#mux = new RequestMux(nc, this.#timeout, this.#options.batchMs ?? 0);
      this.#muxConnection = nc;
    }
    const msg = await this.#mux.request(this.#subject, payload, options.signal);
    const reply = decodeEventRecord(msg.data, msg.headers);
    const reservation = decodeLookupReply(reply.data, {
      defaultLeaseTime: this.#defaultLeaseTime,
    });
    if (reservation !== undefined) {
      if (reservation.macAddress === "") reservation.macAddress = mac;
      else if (reservation.macAddress !== mac) {
        throw new InvalidReplyError(
          "DHCP.MACAddress",
          `is ${reservation.macAddress}, not the MAC looked up (${mac})`,
        );
      }
    }
    if (debug) {
      this.#logger.debug("Lookup answered", {
        mac,
        found: reservation !== undefined,
        ms: Math.round((performance.now() - started) * 10) / 10,
        traceparent,
      });
    }
    return reservation;
  }

  /** Close the connection if the backend opened it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = undefined;
    this.#mux?.close();
    this.#mux = undefined;
    if (!this.#options.nc && this.#connecting && !this.#owned) {
      // A connect in progress may retry forever (waitOnFirstConnect): do
      // not wait for it; close the connection if it ever comes.
      this.#connecting.then((nc) => nc.close(), () => {});
      return;
    }
    const owned = this.#owned;
    this.#owned = undefined;
    if (owned && !owned.isClosed()) await owned.close();
  }

  /** Same as {@linkcode NatsBackend.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
