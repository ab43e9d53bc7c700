/**
 * The errors a lookup fails with, in one place: no reply in time, nobody
 * listening, a reply that cannot be read or that reports a backend error,
 * the connection down, the MAC over its rate. Callers catch them by class
 * (and {@linkcode classifyLookupError} names them for the metrics).
 *
 * @module
 */

/** The states of the connection lookups go over (`NatsState` in lib/nats). */
export type ConnectionState = "connected" | "reconnecting" | "closed";

/**
 * A lookup reply whose data has the wrong shape. A `TypeError`, so callers
 * that only know built-in errors still classify it right.
 *
 * @example
 * ```ts
 * import { InvalidReplyError } from "./errors.ts";
 * const err = new InvalidReplyError("DHCP.LeaseTime", "is a string, want a number");
 * if (!(err instanceof TypeError) || err.field !== "DHCP.LeaseTime") throw new Error();
 * ```
 */
export class InvalidReplyError extends TypeError {
  /** The offending field, for example `DHCP.LeaseTime` (`""` for the whole reply). */
  readonly field: string;
  /**
   * Create the error.
   *
   * @param field The offending field, `""` for the reply as a whole.
   * @param problem What is wrong with it, for example `is not a JSON object`.
   * @param options The underlying error as `cause`.
   */
  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(
      field === ""
        ? `Invalid lookup reply: the data ${problem}`
        : `Invalid lookup reply: ${field} ${problem}`,
      options,
    );
    this.name = "InvalidReplyError";
    this.field = field;
  }
}

/**
 * A v2 reply whose `Error` reports a backend failure (a code other than 0 or
 * 404, or code 0 with a message).
 *
 * @example
 * ```ts
 * import { BackendError } from "./errors.ts";
 * const err = new BackendError(500, "database is down");
 * if (err.code !== 500) throw new Error();
 * ```
 */
export class BackendError extends Error {
  /** The `Error.Code` of the reply. */
  readonly code: number;
  /** The `Error.Message` of the reply. */
  readonly backendMessage: string;
  /**
   * Create the error.
   *
   * @param code The reply's `Error.Code`.
   * @param message The reply's `Error.Message`.
   * @param options The underlying error as `cause`.
   */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(
      `Backend reported error ${code}${message ? `: ${message}` : ""}`,
      options,
    );
    this.name = "BackendError";
    this.code = code;
    this.backendMessage = message;
  }
}

/**
 * No reply arrived before the request's timeout.
 *
 * @example
 * ```ts
 * import { LookupTimeoutError } from "./errors.ts";
 * const err = new LookupTimeoutError("tinkerbell.dhcp", 5000);
 * if (err.timeout !== 5000) throw new Error();
 * ```
 */
export class LookupTimeoutError extends Error {
  /** The subject the request went to. */
  readonly subject: string;
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;
  /**
   * Create the error.
   *
   * @param subject The subject the request went to.
   * @param timeout The timeout in milliseconds.
   * @param options The underlying error as `cause`.
   */
  constructor(subject: string, timeout: number, options?: ErrorOptions) {
    super(
      `Request on subject ${subject} timed out after ${timeout} ms without a reply`,
      options,
    );
    this.name = "LookupTimeoutError";
    this.subject = subject;
    this.timeout = timeout;
  }
}

/**
 * NATS answered at once that nobody subscribes to the subject (status 503).
 *
 * @example
 * ```ts
 * import { NoResponderError } from "./errors.ts";
 * const err = new NoResponderError("tinkerbell.dhcp");
 * if (!err.message.includes("tinkerbell.dhcp")) throw new Error();
 * ```
 */
export class NoResponderError extends Error {
  /** The subject nobody listens on. */
  readonly subject: string;
  /**
   * Create the error.
   *
   * @param subject The subject nobody listens on.
   * @param options The underlying error as `cause`.
   */
  constructor(subject: string, options?: ErrorOptions) {
    super(
      `No responder is subscribed to subject ${subject} (NATS status 503)`,
      options,
    );
    this.name = "NoResponderError";
    this.subject = subject;
  }
}

/**
 * The connection lookups go over is down: the lookup failed at once
 * instead of waiting for its timeout.
 *
 * @example
 * ```ts
 * import { NatsUnavailableError } from "./errors.ts";
 * const err = new NatsUnavailableError("closed");
 * if (err.state !== "closed") throw new Error();
 * ```
 */
export class NatsUnavailableError extends Error {
  /** The connection's state when the lookup failed. */
  readonly state: ConnectionState;

  /**
   * Create the error.
   *
   * @param state The connection's state.
   */
  constructor(state: ConnectionState) {
    super(
      state === "closed"
        ? "Cannot look up: the NATS connection is closed"
        : "Cannot look up: the NATS connection is down, reconnecting",
    );
    this.name = "NatsUnavailableError";
    this.state = state;
  }
}

/**
 * The MAC is over its lookup rate limit; the backend was not asked.
 *
 * @example
 * ```ts
 * import { LookupRateLimitedError } from "./errors.ts";
 * const err = new LookupRateLimitedError("52:54:00:12:34:56");
 * if (err.mac !== "52:54:00:12:34:56") throw new Error();
 * ```
 */
export class LookupRateLimitedError extends Error {
  /** The MAC that was refused. */
  readonly mac: string;

  /**
   * Create the error.
   *
   * @param mac The MAC that was refused.
   */
  constructor(mac: string) {
    super(
      `Lookup of ${mac} refused: the MAC is over its lookup rate limit`,
    );
    this.name = "LookupRateLimitedError";
    this.mac = mac;
  }
}
