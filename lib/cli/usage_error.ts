/**
 * The command line's usage error: a bad flag, value or combination. The
 * CLI prints its message and exits with code 2.
 *
 * @module
 */

/** A usage error: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  /** The exit code the CLI uses. */
  readonly exitCode = 2;
  /**
   * @param message What is wrong and what to do.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
