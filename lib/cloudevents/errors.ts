/**
 * Errors of CloudEvents request-reply over NATS. Callers catch these by class
 * to tell a timeout from a missing responder from a garbled reply.
 *
 * @module
 */

/**
 * A payload (or a set of NATS headers) that is not a valid CloudEvent.
 *
 * @example
 * ```ts
 * import { InvalidEventError } from "./errors.ts";
 * const err = new InvalidEventError("Invalid CloudEvent: payload is not JSON");
 * if (err.name !== "InvalidEventError") throw new Error();
 * ```
 */
export class InvalidEventError extends Error {
  /**
   * Create the error.
   *
   * @param message What is wrong with the event.
   * @param options The underlying error as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidEventError";
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
