/**
 * Options, lookup-function type and counters of the responder.
 *
 * @module
 */
import type { ConnectionOptions, NatsConnection } from "../types/nats.ts";
import type { Reservation } from "../backend/reservation.ts";
import type { ReplyFormat } from "../nats/wire.ts";
import type { Logger } from "../log/logger.ts";

/** What a lookup function is told besides the MAC. */
export interface LookupContext {
  /** W3C trace context of the DHCP transaction, `""` when none. */
  traceparent: string;
}

/**
 * Finds the reservation of one MAC: returns it, `undefined` when the MAC is
 * unknown, or throws (rejects) when the lookup itself failed. A reservation
 * with an empty `macAddress` gets the requested MAC.
 */
export type LookupFunction = (
  mac: string,
  context: LookupContext,
) => Reservation | undefined | Promise<Reservation | undefined>;

/** Default queue group: responders on one subject share the requests. */
export const DEFAULT_QUEUE = "tinkerbell-responders";
/** Default micro-service name (ADR-32). */
export const DEFAULT_SERVICE_NAME = "dhcp-responder";

/** Options of {@linkcode startResponder}. */
export interface ResponderOptions {
  /** Finds reservations; the whole of a custom backend. */
  lookup: LookupFunction;
  /** An open connection to use (the caller keeps owning it). */
  nc?: NatsConnection;
  /**
   * Servers to connect to when `nc` is not given; the responder then owns
   * the connection, reconnects forever, and closes it on drain.
   * @default {"nats://127.0.0.1:4222"}
   */
  servers?: string | string[];
  /** Further connection options (auth, TLS, name) when `nc` is not given. */
  connectOptions?: Partial<ConnectionOptions>;
  /**
   * Subject the lookups arrive on.
   * @default {"tinkerbell.dhcp"}
   */
  subject?: string;
  /**
   * Queue group, so that several responders share the load.
   * @default {"tinkerbell-responders"}
   */
  queue?: string;
  /**
   * Reply generation: `v2` says "not found" with Error 404; `v1` (for the
   * first-generation Go server) sends the DHCP object alone, and nothing for
   * an unknown MAC, a failed lookup or a malformed request.
   * @default {"v2"}
   */
  replyFormat?: ReplyFormat;
  /**
   * `LeaseTime` sent for a reservation without one.
   * @default {86400}
   */
  defaultLeaseTime?: number;
  /**
   * Where requests, failures and reconnects are logged.
   * @default {silentLogger}
   */
  logger?: Logger;
  /** Aborting drains the responder. */
  signal?: AbortSignal;
  /**
   * Micro-service name for `$SRV.PING/INFO/STATS`; `false` registers none.
   * @default {"dhcp-responder"}
   */
  serviceName?: string | false;
  /**
   * Micro-service version.
   * @default {"0.1.0"}
   */
  serviceVersion?: string;
}

/** Counters of a responder since it started. */
export interface ResponderStats {
  /** Messages received on the subject. */
  requests: number;
  /** Lookups that found a reservation. */
  found: number;
  /** Lookups of an unknown MAC. */
  notFound: number;
  /** Lookups that failed (the lookup function threw). */
  errors: number;
  /** Messages that were not a lookup request (no CloudEvent, no MAC). */
  badRequests: number;
}
