/**
 * The outcome of one backend lookup: one vocabulary for the server's
 * counters, the metrics' `outcome` label and the tracing spans.
 *
 * @module
 */
import {
  LookupRateLimitedError,
  LookupTimeoutError,
  NatsUnavailableError,
  NoResponderError,
} from "./errors.ts";

/** How a lookup ended: the server's lookup counters and the `outcome` label of the lookup metrics. */
export const LookupOutcome = {
  /** A reservation came back. */
  found: "found",
  /** The backend does not know the MAC. */
  notFound: "not_found",
  /** No reply within the timeout. */
  timeout: "timeout",
  /** Nobody listens on the subject (NATS 503). */
  noResponders: "no_responders",
  /** The NATS connection was down (failed at once, not waited for). */
  disconnected: "disconnected",
  /** The MAC was over its lookup rate limit; the backend was not asked. */
  rateLimited: "rate_limited",
  /** Anything else: a malformed reply, a backend error. */
  error: "error",
} as const;

/** One of {@linkcode LookupOutcome}. */
export type LookupOutcome = typeof LookupOutcome[keyof typeof LookupOutcome];

/**
 * Classify a failed lookup.
 *
 * @param error What the lookup threw.
 * @returns The outcome label.
 * @example
 * ```ts
 * import { classifyLookupError } from "./lookup_outcome.ts";
 * if (classifyLookupError(new Error("x")) !== "error") throw new Error();
 * ```
 */
export function classifyLookupError(error: unknown): LookupOutcome {
  if (error instanceof LookupTimeoutError) return LookupOutcome.timeout;
  if (error instanceof NoResponderError) return LookupOutcome.noResponders;
  if (error instanceof NatsUnavailableError) return LookupOutcome.disconnected;
  if (error instanceof LookupRateLimitedError) return LookupOutcome.rateLimited;
  return LookupOutcome.error;
}
