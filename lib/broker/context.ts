/**
 * What a client connection and its broker share: the connection and
 * subscription records, the counters and statistics, and the broker-side
 * callbacks a client calls.
 *
 * @module
 */

import type { ConnectOptions } from "./connect_options.ts";
import type { CloseReason } from "./errors.ts";
import type { ResolvedBrokerOptions } from "./options.ts";
import type { SublistEntry } from "./sublist.ts";

/**
 * A client connection as its broker sees it (the `Client` class of
 * client.ts): what routing and closing need.
 */
export interface Connection {
  /** Connection id (`cid`). */
  readonly id: number;
  /** The peer's `host:port`. */
  readonly address: string;
  /** The options of the client's CONNECT. */
  readonly opts: Readonly<ConnectOptions>;
  /**
   * Queue one message for `sub`.
   *
   * @param sub the receiving subscription
   * @param subject subject bytes
   * @param reply reply-subject bytes
   * @param headerSize header bytes at the start of `payload`, -1 for none
   * @param payload headers and body
   */
  deliver(
    sub: Subscription,
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void;
  /**
   * Queue the no-responders status (`NATS/1.0 503`) for `sub`.
   *
   * @param sub this client's subscription matching the reply subject
   * @param reply the reply subject of the request
   */
  deliverNoResponders(sub: Subscription, reply: Uint8Array): void;
}

/** A client's subscription. */
export interface Subscription extends SublistEntry {
  /** The owning client. */
  readonly client: Connection;
  /** The client's subscription id. */
  readonly sid: string;
  /** Messages delivered so far. */
  delivered: number;
  /** Auto-unsubscribe after this many messages; 0 for none. */
  max: number;
}

/** Message counters shared by a broker's clients. */
export interface BrokerCounters {
  /** Messages received. */
  msgsIn: number;
  /** Messages delivered. */
  msgsOut: number;
  /** Payload bytes received. */
  bytesIn: number;
  /** Payload bytes delivered. */
  bytesOut: number;
  /** Clients closed as slow consumers. */
  slowConsumers: number;
}

/** Counters of a running broker. */
export interface BrokerStats {
  /** Clients connected now. */
  connections: number;
  /** Clients accepted since start. */
  totalConnections: number;
  /** Subscriptions now. */
  subscriptions: number;
  /** Messages received from clients. */
  msgsIn: number;
  /** Messages delivered to clients. */
  msgsOut: number;
  /** Payload bytes received. */
  bytesIn: number;
  /** Payload bytes delivered. */
  bytesOut: number;
  /** Clients closed as slow consumers. */
  slowConsumers: number;
  /**
   * Bytes of memory held now by the clients' read and write buffers (what
   * is pending plus free room); they shrink back once a burst is written.
   */
  bufferedBytes: number;
}

/** What a client needs from its broker. */
export interface BrokerContext {
  /** Resolved options. */
  readonly options: ResolvedBrokerOptions;
  /** Counters, updated by clients. */
  readonly counters: BrokerCounters;
  /** Route a published message. */
  route(
    from: Connection,
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void;
  /** Index a new subscription. */
  addSubscription(sub: Subscription): void;
  /** Drop a subscription from the index. */
  removeSubscription(sub: Subscription): void;
  /** The client has closed. */
  clientClosed(client: Connection, reason: CloseReason): void;
  /** A client freed this many bytes of buffer memory. */
  released(bytes: number): void;
}
