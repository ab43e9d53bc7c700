/**
 * A per-second budget for log lines, so a flood of bad packets cannot flood
 * the log.
 *
 * @module
 */

/**
 * Allows at most `perSecond` events in each one-second window and counts
 * the rest.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./rate_limit.ts";
 * const limiter = new RateLimiter(1, () => 0);
 * if (!limiter.allow() || limiter.allow()) throw new Error();
 * if (limiter.suppressed !== 1) throw new Error();
 * ```
 */
export class RateLimiter {
  #perSecond: number;
  #now: () => number;
  #windowStart = -Infinity;
  #used = 0;
  /** Events refused since the last allowed one. */
  suppressed = 0;

  /**
   * Create a limiter.
   *
   * @param perSecond Events allowed per second.
   * @param now Clock in milliseconds.
   */
  constructor(perSecond: number, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /**
   * Take one event from the budget.
   *
   * @returns `true` when the event may be logged.
   */
  allow(): boolean {
    const now = this.#now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used < this.#perSecond) {
      this.#used++;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /**
   * Read and reset the count of suppressed events.
   *
   * @returns How many events were refused since the last call.
   */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
