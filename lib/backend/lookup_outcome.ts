/**
 * The outcome of one backend lookup, in the words the metrics use.
 *
 * @module
 */
import { LookupTimeoutError, NoResponderError } from "../cloudevents/errors.ts";
import { LookupRateLimitedError } from "./mac_rate_limit.ts";
import { NatsUnavailableError } from "../nats/nats_state.ts";

/** How a lookup ended: the `outcome` label of the lookup metrics. */
export const LookupResult = {
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

/** One of {@linkcode LookupResult}. */
export type LookupResult = typeof LookupResult[keyof typeof LookupResult];

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
export function classifyLookupError(error: unknown): LookupResult {
  if (error instanceof LookupTimeoutError) return LookupResult.timeout;
  if (error instanceof NoResponderError) return LookupResult.noResponders;
  if (error instanceof NatsUnavailableError) return LookupResult.disconnected;
  if (error instanceof LookupRateLimitedError) return LookupResult.rateLimited;
  return LookupResult.error;
}
