/**
 * A token bucket per MAC address, so one broken client sending DISCOVERs
 * in a tight loop cannot flood the backend with lookups. Memory is bounded:
 * at most `maxMacs` buckets are kept, idle ones are forgotten first.
 *
 * @module
 */

/** Options of {@linkcode MacRateLimiter}. */
export interface MacRateLimitOptions {
  /**
   * Lookups a MAC may make per second, on average (0 turns limiting off).
   * @default {2}
   */
  perSecond?: number;
  /**
   * Lookups a MAC may make in a burst (a PXE ROM sends a few DISCOVERs
   * quickly, then a REQUEST).
   * @default {10}
   */
  burst?: number;
  /**
   * At most this many MACs are tracked; past that the least recently seen
   * are forgotten (a forgotten MAC starts again with a full bucket).
   * @default {65536}
   */
  maxMacs?: number;
  /**
   * Clock in milliseconds.
   * @default {performance.now}
   */
  now?: () => number;
}

/** The default per-MAC lookup rate: 2 a second, bursts of 10. */
export const DEFAULT_MAC_RATE_LIMIT = {
  perSecond: 2,
  burst: 10,
  maxMacs: 65536,
} as const;

interface Bucket {
  tokens: number;
  at: number;
}

/** Offset of chaddr in a DHCP message (RFC 2131 section 2). */
const CHADDR = 28;

/**
 * The bucket key of a MAC: its 48 bits as a number for a 6-octet MAC (the
 * same number {@linkcode MacRateLimiter.refuses} reads from chaddr), the
 * text itself for a longer hardware address.
 */
function keyOf(mac: string): number | string {
  if (mac.length !== 17) return mac;
  const key = parseInt(mac.replaceAll(":", ""), 16);
  return Number.isSafeInteger(key) ? key : mac;
}

/**
 * Per-MAC token buckets.
 *
 * @example
 * ```ts
 * import { MacRateLimiter } from "./mac_rate_limit.ts";
 * const limiter = new MacRateLimiter({ perSecond: 1, burst: 2, now: () => 0 });
 * const mac = "52:54:00:12:34:56";
 * if (!limiter.allow(mac) || !limiter.allow(mac) || limiter.allow(mac)) {
 *   throw new Error("expected two allowed, then refused");
 * }
 * ```
 */
export class MacRateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxMacs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<number | string, Bucket>();
  /** Lookups refused so far. */
  refused = 0;

  /**
   * Create a limiter.
   *
   * @param options Rate, burst, memory bound and clock.
   * @throws {RangeError} When a setting is negative or not a number.
   */
  constructor(options: MacRateLimitOptions = {}) {
    const perSecond = options.perSecond ?? DEFAULT_MAC_RATE_LIMIT.perSecond;
    const burst = options.burst ?? DEFAULT_MAC_RATE_LIMIT.burst;
    const maxMacs = options.maxMacs ?? DEFAULT_MAC_RATE_LIMIT.maxMacs;
    for (const [name, value] of Object.entries({ perSecond, burst, maxMacs })) {
      if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(
          `Invalid MAC rate limit ${name} ${value}: it must be a number of 0 or more`,
        );
      }
    }
    this.#perMs = perSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#maxMacs = Math.max(1, maxMacs);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether limiting is on. */
  get enabled(): boolean {
    return this.#perMs > 0;
  }

  /** MACs tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Take one lookup from `mac`'s bucket.
   *
   * @param mac The client's MAC address.
   * @returns `true` when the lookup may go ahead.
   */
  allow(mac: string): boolean {
    if (this.#perMs === 0) return true;
    const now = this.#now();
    const key = keyOf(mac);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxMacs) this.#evict();
      bucket = { tokens: this.#burst, at: now };
    } else {
      this.#buckets.delete(key); // re-inserted below: most recent last
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + (now - bucket.at) * this.#perMs,
      );
      bucket.at = now;
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    this.refused++;
    return false;
  }

  /**
   * Whether a raw DHCP request comes from a MAC that is out of lookups
   * right now, read from its chaddr bytes: no decode, no allocation, no
   * token taken (the lookup itself takes one through
   * {@linkcode MacRateLimiter.allow}). A looping client is then refused at
   * a small fraction of the cost of a decoded packet (bench/README.md, "One
   * MAC flooding").
   *
   * @param buffer Bytes holding the UDP payload (a receive buffer will do).
   * @param offset Where the payload starts in `buffer`.
   * @param length The payload's length.
   * @returns `true` when the packet should be dropped unread; `false` for
   * any packet it cannot tell (too short, hlen other than 6, limiting off).
   */
  refuses(
    buffer: Uint8Array,
    offset = 0,
    length: number = buffer.length - offset,
  ): boolean {
    const at = offset + CHADDR;
    if (this.#perMs === 0 || length < CHADDR + 6 || buffer[offset + 2] !== 6) {
      return false;
    }
    const key = (buffer[at] << 16 | buffer[at + 1] << 8 | buffer[at + 2]) *
        0x1000000 +
      (buffer[at + 3] << 16 | buffer[at + 4] << 8 | buffer[at + 5]);
    const bucket = this.#buckets.get(key);
    if (
      bucket === undefined ||
      bucket.tokens + (this.#now() - bucket.at) * this.#perMs >= 1
    ) {
      return false;
    }
    this.refused++;
    return true;
  }

  /** Forget the least recently seen tenth of the MACs. */
  #evict(): void {
    let n = Math.max(1, Math.floor(this.#maxMacs / 10));
    for (const mac of this.#buckets.keys()) {
      this.#buckets.delete(mac);
      if (--n === 0) break;
    }
  }
}
