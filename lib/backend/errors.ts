/**
 * Errors of the lookup wire format: a reply that cannot be read, and a reply
 * in which the backend reports an error.
 *
 * @module
 */

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
