/**
 * A backend wrapper for the DHCP server: it refuses lookups at once while
 * NATS is down (instead of each waiting for the timeout), limits lookups per
 * MAC, reports each lookup's outcome and time, and records a tracing span
 * for it.
 *
 * @module
 */
import type { Backend, LookupOptions } from "./backend.ts";
import type { Reservation } from "./reservation.ts";
import { classifyLookupError, LookupOutcome } from "./lookup_outcome.ts";
import {
  type ConnectionState,
  LookupRateLimitedError,
  NatsUnavailableError,
} from "./errors.ts";
import { MacRateLimiter, type MacRateLimitOptions } from "./mac_rate_limit.ts";
import { startLookupSpan } from "../tracing/spans.ts";

/** Called once per lookup. */
export type LookupObserver = (
  outcome: LookupOutcome,
  seconds: number,
  mac: string,
) => void;

/**
 * A live view of the connection lookups go over (`watchNatsState` in
 * lib/nats gives one).
 */
export interface ConnectionWatch {
  /** The state now. */
  readonly state: ConnectionState;
  /** Whether the connection is up now. */
  readonly connected: boolean;
  /**
   * Aborts when the connection is next lost (or at once while it is down),
   * so a lookup in flight can fail fast.
   */
  readonly lost: AbortSignal;
}

/** Options of {@linkcode GuardedBackend}. */
export interface GuardedBackendOptions {
  /**
   * The NATS connection's state (a function, as the connection may come
   * later); lookups fail at once while it is down.
   */
  nats?: () => ConnectionWatch | undefined;
  /**
   * Per-MAC lookup rate limit ({@linkcode MacRateLimitOptions}); `false`
   * turns it off.
   * @default {{ perSecond: 2, burst: 10, maxMacs: 65536 }}
   */
  macRateLimit?: MacRateLimitOptions | false;
  /** Called with each lookup's outcome and duration. */
  onLookup?: LookupObserver;
}

/**
 * Wraps a backend; see the module description.
 *
 * @example
 * ```ts
 * import { GuardedBackend } from "./guarded_backend.ts";
 * import { MemoryBackend } from "./memory_backend.ts";
 * const seen: string[] = [];
 * const backend = new GuardedBackend(new MemoryBackend([]), {
 *   onLookup: (outcome) => seen.push(outcome),
 * });
 * await backend.lookup("52:54:00:12:34:56");
 * if (seen[0] !== "not_found") throw new Error(seen.join());
 * ```
 */
export class GuardedBackend implements Backend {
  readonly #inner: Backend;
  readonly #nats?: () => ConnectionWatch | undefined;
  readonly #limiter?: MacRateLimiter;
  readonly #onLookup?: LookupObserver;

  /**
   * Wrap `inner`.
   *
   * @param inner The real backend.
   * @param options NATS state, rate limit, observer.
   * @throws {RangeError} On an invalid rate limit setting.
   */
  constructor(inner: Backend, options: GuardedBackendOptions = {}) {
    this.#inner = inner;
    this.#nats = options.nats;
    if (options.macRateLimit !== false) {
      const limiter = new MacRateLimiter(options.macRateLimit ?? {});
      if (limiter.enabled) this.#limiter = limiter;
    }
    this.#onLookup = options.onLookup;
  }

  /**
   * The per-MAC rate limiter, when limiting is on; the DHCP server uses it
   * to drop the packets of a limited MAC before decoding them.
   */
  get limiter(): MacRateLimiter | undefined {
    return this.#limiter;
  }

  /** Lookups refused by the per-MAC rate limit so far. */
  get rateLimited(): number {
    return this.#limiter?.refused ?? 0;
  }

  /**
   * Look `mac` up, unless NATS is down or the MAC is over its rate.
   *
   * @param mac Lower-case colon hex.
   * @param options Signal and the transaction's traceparent.
   * @returns The reservation, or `undefined` when unknown.
   * @throws {NatsUnavailableError} While the NATS connection is down.
   * @throws {LookupRateLimitedError} When the MAC is over its rate.
   */
  async lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    const started = performance.now();
    const span = startLookupSpan(mac, options.traceparent);
    try {
      if (this.#limiter && !this.#limiter.allow(mac)) {
        throw new LookupRateLimitedError(mac);
      }
      const found = await this.#ask(mac, {
        signal: options.signal,
        traceparent: span?.traceparent ?? options.traceparent,
      });
      const outcome = found === undefined
        ? LookupOutcome.notFound
        : LookupOutcome.found;
      span?.end(outcome);
      this.#onLookup?.(outcome, (performance.now() - started) / 1000, mac);
      return found;
    } catch (error) {
      const outcome = classifyLookupError(error);
      span?.end(outcome, error);
      this.#onLookup?.(outcome, (performance.now() - started) / 1000, mac);
      throw error;
    }
  }

  #ask(mac: string, options: LookupOptions): Promise<Reservation | undefined> {
    const nats = this.#nats?.();
    if (nats === undefined) return this.#inner.lookup(mac, options);
    if (!nats.connected) {
      return Promise.reject(new NatsUnavailableError(nats.state));
    }
    // Fail at once when the connection drops while this lookup waits, and
    // abort it below: a request lost with the connection must not stay
    // shared (coalesced) with later lookups of the same MAC until its
    // timeout.
    const signal = options.signal
      ? combined(options.signal, nats.lost)
      : nats.lost;
    return this.#inner.lookup(mac, { ...options, signal });
  }
}

/**
 * `AbortSignal.any([signal, lost])`, made once per pair: the server's
 * lookups share a signal per few milliseconds, and a dependent signal per
 * lookup was a measurable share of the CPU and of the garbage.
 */
const pairs = new WeakMap<
  AbortSignal,
  { lost: AbortSignal; either: AbortSignal }
>();

function combined(signal: AbortSignal, lost: AbortSignal): AbortSignal {
  const known = pairs.get(signal);
  if (known !== undefined && known.lost === lost) return known.either;
  const either = AbortSignal.any([signal, lost]);
  pairs.set(signal, { lost, either });
  return either;
}
