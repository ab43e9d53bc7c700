/**
 * What a client connection and its broker share: the subscription record,
 * the counters, and the broker-side callbacks a client calls.
 *
 * @module
 */

import type { Client } from "./client.ts";
import type { CloseReason } from "./errors.ts";
import type { ResolvedBrokerOptions } from "./options.ts";
import type { SublistEntry } from "./sublist.ts";

/** A client's subscription. */
export interface Subscription extends SublistEntry {
  /** The owning client. */
  readonly client: Client;
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

/** What a client needs from its broker. */
export interface BrokerContext {
  /** Resolved options. */
  readonly options: ResolvedBrokerOptions;
  /** Counters, updated by clients. */
  readonly counters: BrokerCounters;
  /** Route a published message. */
  route(
    from: Client,
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
  clientClosed(client: Client, reason: CloseReason): void;
  /** A client freed this many bytes of buffer memory. */
  released(bytes: number): void;
}
