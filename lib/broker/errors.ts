/**
 * The `-ERR` texts the broker sends, matching what nats-server 2.9 sends for
 * the same condition, and the error class thrown for broker failures.
 *
 * @module
 */

/**
 * `-ERR` texts, exactly as nats-server 2.9.10 writes them (checked with raw
 * TCP experiments against the Debian package).
 */
export const ProtocolErrorText = {
  /** A control line that is not a known operation, or a bad payload end. */
  UnknownOperation: "Unknown Protocol Operation",
  /** PUB/HPUB size above `max_payload`; the connection is closed. */
  MaxPayload: "Maximum Payload Violation",
  /** Missing or wrong credentials; the connection is closed. */
  Authorization: "Authorization Violation",
  /** No CONNECT within the authentication timeout. */
  AuthTimeout: "Authentication Timeout",
  /** SUB with an invalid subject; the connection stays open. */
  InvalidSubject: "Invalid Subject",
  /** Pedantic PUB to a subject with wildcards or empty tokens. */
  InvalidPublishSubject: "Invalid Publish Subject",
  /** A control line longer than `max_control_line` (lower case, as 2.9 sends it). */
  MaxControlLine: "maximum control line exceeded",
  /** A connection above `max_connections` (lower case, as 2.9 sends it). */
  MaxConnections: "maximum connections exceeded",
  /** Too many server PINGs left unanswered. */
  StaleConnection: "Stale Connection",
  /** CONNECT asked for no_responders without headers. */
  NoRespondersNeedHeaders: "no responders requires headers support",
  /**
   * Outbound data piled up beyond `maxPending`. Never sent: like
   * nats-server 2.9, the broker just closes a slow consumer (it is not
   * reading, so it would not see the line); kept for logs and callers.
   */
  SlowConsumer: "Slow Consumer",
} as const;

/** One of the `-ERR` texts of {@linkcode ProtocolErrorText}. */
export type ProtocolErrorText =
  typeof ProtocolErrorText[keyof typeof ProtocolErrorText];

/** Why a client connection was closed (logged, and kept in the stats). */
export const CloseReason = {
  /** The client closed its side. */
  ClientClosed: "client closed",
  /** The broker is shutting down. */
  ServerShutdown: "server shutdown",
  /** Malformed protocol input. */
  ProtocolViolation: "protocol violation",
  /** Bad or missing credentials. */
  AuthenticationFailure: "authentication failure",
  /** No CONNECT within the authentication timeout. */
  AuthenticationTimeout: "authentication timeout",
  /** PUB/HPUB above the payload limit. */
  MaxPayload: "maximum payload exceeded",
  /** Control line above the limit. */
  MaxControlLine: "maximum control line exceeded",
  /** Too many connections. */
  MaxConnections: "maximum connections exceeded",
  /** Unanswered PINGs. */
  StaleConnection: "stale connection",
  /** Pending outbound bytes above the limit. */
  SlowConsumer: "slow consumer",
  /** A socket read or write failed. */
  IoError: "i/o error",
} as const;

/** One of the reasons of {@linkcode CloseReason}. */
export type CloseReason = typeof CloseReason[keyof typeof CloseReason];

/**
 * A failure of the broker itself (bad options, cannot listen), as opposed
 * to a client's protocol error, which is answered with `-ERR` and never
 * thrown.
 *
 * @example
 * ```ts
 * import { BrokerProtocolError } from "./errors.ts";
 * const err = new BrokerProtocolError("Cannot start broker: port 1 is in use");
 * if (err.name !== "BrokerProtocolError") throw new Error();
 * ```
 */
export class BrokerProtocolError extends Error {
  /**
   * Create the error.
   *
   * @param message what failed and why
   * @param options the underlying `cause`, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokerProtocolError";
  }
}
