/**
 * The error of the CloudEvents binding: a message that is not a valid
 * CloudEvent. (The errors of a lookup live in `lib/backend/errors.ts`.)
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
