/**
 * The embedded NATS broker (`--server` role): a core-NATS server over TCP
 * that the official nats.js client cannot tell from nats-server for
 * publish-subscribe, queue groups, request-reply, headers and
 * no-responders.
 *
 * @module
 */

import { latin1 } from "./bytes.ts";
import { Client } from "./client.ts";
import { HeapTrimmer } from "./heap_trim.ts";
import type {
  BrokerContext,
  BrokerCounters,
  BrokerStats,
  Connection,
  Subscription,
} from "./context.ts";
import {
  BrokerProtocolError,
  CloseReason,
  ProtocolErrorText,
} from "./errors.ts";
import {
  type BrokerOptions,
  resolveBrokerOptions,
  type ResolvedBrokerOptions,
} from "./options.ts";
import { type Monitor, serveMonitor } from "./monitor.ts";
import { Sublist } from "./sublist.ts";

/** The protocol level we speak, announced as `version` in INFO. */
export const BROKER_VERSION = "2.9.10";

function randomServerId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = crypto.getRandomValues(new Uint8Array(56));
  return "N" + Array.from(bytes.subarray(1), (b) => alphabet[b % 32]).join("");
}

/**
 * A running broker. Create with {@linkcode startBroker}.
 *
 * @example
 * ```ts ignore
 * await using broker = await startBroker({ port: 0 });
 * const nc = await connect({ servers: broker.url });
 * ```
 */
export class Broker implements AsyncDisposable {
  /** The server id announced in INFO. */
  readonly serverId: string = randomServerId();
  /** Address listened on. */
  readonly hostname: string;
  /** Port listened on (the real one when 0 was asked). */
  readonly port: number;
  /** `nats://host:port` */
  readonly url: string;
  /** `http://host:port` of the monitoring endpoint, when `httpPort` is set. */
  readonly monitorUrl: string | undefined;

  #options: ResolvedBrokerOptions;
  #counters: BrokerCounters = {
    msgsIn: 0,
    msgsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    slowConsumers: 0,
  };
  #context: BrokerContext;
  #listener: Deno.TcpListener;
  #monitor: Monitor | undefined;
  /** The clients connected, by connection id. */
  #clients = new Map<number, Client>();
  #trimmer = new HeapTrimmer();
  #sublist = new Sublist<Subscription>();
  #nextId = 1;
  #totalConnections = 0;
  #info: Record<string, unknown>;
  #acceptLoop: Promise<void>;
  #closing: Promise<void> | undefined;
  #onAbort = () => void this.close();
  #resolveClosed!: () => void;
  #closed = new Promise<void>((resolve) => this.#resolveClosed = resolve);

  /**
   * Listen now. Prefer {@linkcode startBroker}.
   *
   * @param options listen address, limits, auth, logger, signal
   * @throws {BrokerProtocolError} when the address cannot be bound
   * @throws {RangeError} on an out-of-range option
   */
  constructor(options: BrokerOptions = {}) {
    this.#options = resolveBrokerOptions(options);
    this.#context = {
      options: this.#options,
      counters: this.#counters,
      route: (...args) => this.#route(...args),
      addSubscription: (sub) => this.#sublist.insert(sub),
      removeSubscription: (sub) => void this.#sublist.remove(sub),
      clientClosed: (client, reason) => this.#clientClosed(client, reason),
      released: (bytes) => this.#trimmer.released(bytes),
    };
    const { hostname, port } = this.#options;
    try {
      this.#listener = Deno.listen({ hostname, port, transport: "tcp" });
    } catch (err) {
      throw new BrokerProtocolError(
        `Cannot start broker: cannot listen on ${hostname}:${port}: ${
          (err as Error).message
        }`,
        { cause: err },
      );
    }
    this.hostname = hostname;
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.url = `nats://${
      hostname.includes(":") ? `[${hostname}]` : hostname
    }:${this.port}`;
    this.#info = {
      server_id: this.serverId,
      server_name: this.#options.serverName ?? this.serverId,
      version: BROKER_VERSION,
      proto: 1,
      host: hostname,
      port: this.port,
      headers: true,
      ...(this.#options.auth ? { auth_required: true } : {}),
      max_payload: this.#options.maxPayload,
    };
    if (this.#options.httpPort !== undefined) {
      try {
        this.#monitor = serveMonitor(this, {
          hostname,
          port: this.#options.httpPort,
          fields: {
            version: BROKER_VERSION,
            max_payload: this.#options.maxPayload,
          },
        });
      } catch (err) {
        this.#listener.close();
        throw new BrokerProtocolError(
          `Cannot start broker monitor: cannot listen on ${hostname}:${this.#options.httpPort}: ${
            (err as Error).message
          }`,
          { cause: err },
        );
      }
    }
    this.monitorUrl = this.#monitor?.url;
    this.#options.logger.info("Broker listening", {
      url: this.url,
      monitor: this.monitorUrl,
    });
    this.#acceptLoop = this.#accept();
    const signal = this.#options.signal;
    if (signal?.aborted) queueMicrotask(this.#onAbort);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /**
   * Current counters.
   *
   * @returns a snapshot
   */
  stats(): BrokerStats {
    let bufferedBytes = 0;
    for (const client of this.#clients.values()) {
      bufferedBytes += client.buffered;
    }
    return {
      bufferedBytes,
      connections: this.#clients.size,
      totalConnections: this.#totalConnections,
      subscriptions: this.#sublist.size,
      ...this.#counters,
    };
  }

  async #accept(): Promise<void> {
    const log = this.#options.logger;
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (err) {
        if (
          this.#closing !== undefined ||
          err instanceof Deno.errors.BadResource ||
          err instanceof Deno.errors.Interrupted
        ) return;
        // Transient (for example out of file descriptors): keep serving.
        log.error("Broker failed to accept a connection", { error: err });
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const id = this.#nextId++;
      this.#totalConnections++;
      const remote = conn.remoteAddr as Deno.NetAddr;
      const info = JSON.stringify({
        ...this.#info,
        client_id: id,
        client_ip: remote.hostname,
      });
      const client = new Client(conn, id, this.#context, info);
      this.#clients.set(id, client);
      log.info("Client connection accepted", {
        cid: id,
        client: client.address,
      });
      if (this.#clients.size > this.#options.maxConnections) {
        log.warn("Maximum connections exceeded", {
          cid: id,
          max: this.#options.maxConnections,
        });
        client.closeWithError(
          ProtocolErrorText.MaxConnections,
          CloseReason.MaxConnections,
        );
      }
    }
  }

  #route(
    from: Connection,
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void {
    const result = this.#sublist.match(latin1(subject));
    let delivered = 0;
    for (const sub of result.plain) {
      if (!from.opts.echo && sub.client === from) continue;
      sub.client.deliver(sub, subject, reply, headerSize, payload);
      delivered++;
    }
    for (const group of result.queues) {
      const n = group.length;
      const start = n === 1 ? 0 : Math.floor(Math.random() * n);
      for (let k = 0; k < n; k++) {
        const sub = group[(start + k) % n];
        if (!from.opts.echo && sub.client === from) continue;
        sub.client.deliver(sub, subject, reply, headerSize, payload);
        delivered++;
        break;
      }
    }
    if (
      delivered === 0 && reply && from.opts.noResponders && from.opts.headers
    ) {
      const own = this.#sublist.match(latin1(reply));
      const sub = own.plain.find((s) => s.client === from) ??
        own.queues.flat().find((s) => s.client === from);
      if (sub) from.deliverNoResponders(sub, reply);
    }
  }

  #clientClosed(client: Connection, reason: CloseReason): void {
    this.#clients.delete(client.id);
    const log = this.#options.logger;
    const fields = { cid: client.id, client: client.address, reason };
    if (
      reason === CloseReason.ClientClosed ||
      reason === CloseReason.ServerShutdown
    ) {
      log.info("Client connection closed", fields);
    } else log.warn("Client connection closed", fields);
  }

  /**
   * Stop accepting, write what each client has pending (up to one second),
   * then close every connection. Idempotent.
   *
   * @returns when every socket is closed
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#options.signal?.removeEventListener("abort", this.#onAbort);
      try {
        this.#listener.close();
      } catch { /* already closed */ }
      await this.#acceptLoop;
      await this.#monitor?.close();
      const clients = [...this.#clients.values()];
      for (const c of clients) c.closeAfterFlush(CloseReason.ServerShutdown);
      await Promise.all(clients.map((c) => c.done));
      this.#trimmer.close();
      this.#options.logger.info("Broker closed", { url: this.url });
      this.#resolveClosed();
    })();
    return this.#closing;
  }

  /**
   * Resolves once the broker has closed, by {@linkcode Broker.close} or its
   * abort signal (for a `--server` role that runs until stopped).
   *
   * @returns when every socket is closed
   */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Same as {@linkcode Broker.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Start the embedded broker.
 *
 * @param options listen address (127.0.0.1:4222 by default; port 0 for any
 *   free port), limits, auth, logger, and an abort signal
 * @returns the running broker
 * @throws {BrokerProtocolError} when the address cannot be bound
 * @throws {RangeError} on an out-of-range option
 * @example
 * ```ts
 * import { startBroker } from "./broker.ts";
 * await using broker = await startBroker({ port: 0 });
 * if (!broker.url.startsWith("nats://127.0.0.1:")) throw new Error();
 * ```
 */
export function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  try {
    return Promise.resolve(new Broker(options));
  } catch (err) {
    return Promise.reject(err);
  }
}
