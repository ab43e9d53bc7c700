/**
 * The DHCP server's lookups over NATS, assembled in one place for the CLI,
 * the demo and library users alike: the {@linkcode NatsBackend} (one
 * request per lookup), concurrent lookups of one MAC merged, the per-MAC
 * rate limit and the fail-fast guard while NATS is down, and the cache on
 * top (a cached answer is still given while NATS is down; only real
 * lookups are limited and observed).
 *
 * @module
 */
import type { Backend, LookupOptions } from "../backend/backend.ts";
import { CachingBackend } from "../backend/caching_backend.ts";
import { CoalescingBackend } from "../backend/coalescing_backend.ts";
import {
  GuardedBackend,
  type LookupObserver,
} from "../backend/guarded_backend.ts";
import type {
  MacRateLimiter,
  MacRateLimitOptions,
} from "../backend/mac_rate_limit.ts";
import type { Reservation } from "../backend/reservation.ts";
import type { Logger } from "../log/logger.ts";
import { NatsBackend, type NatsBackendOptions } from "./backend.ts";
import { parseNatsUrls } from "./urls.ts";
import {
  type NatsState,
  type NatsStateWatch,
  watchNatsState,
} from "./nats_state.ts";

/** Options of {@linkcode createLookupStack}. */
export interface LookupStackOptions extends NatsBackendOptions {
  /**
   * Reuse each answer (a reservation or "not found") this many
   * milliseconds; 0 asks the responder every time, as the Go server does.
   * @default {0}
   */
  cacheTtl?: number;
  /**
   * Per-MAC lookup rate limit; `false` turns it off.
   * @default {{ perSecond: 2, burst: 10, maxMacs: 65536 }}
   */
  macRateLimit?: MacRateLimitOptions | false;
  /** Called with each real lookup's outcome and duration (the metrics). */
  onLookup?: LookupObserver;
  /** Called when the NATS connection is lost or comes back. */
  onStateChange?: (state: NatsState, server: string) => void;
  /**
   * Where each lookup is logged (debug level).
   * @default {silentLogger}
   */
  logger?: Logger;
}

/**
 * The assembled lookups: a {@linkcode Backend} to give the DHCP server, and
 * the connection state for health checks and metrics.
 */
export interface LookupStack extends Backend, AsyncDisposable {
  /**
   * Connect (when the stack opens its own connection) and start following
   * the connection's state; call it once the DHCP socket is bound, so a
   * wrong NATS address fails at start-up rather than on the first packet.
   * Lookups made before it connect on their own. Idempotent.
   *
   * @returns The connection state.
   * @throws {Error} When the NATS server cannot be reached.
   */
  connect(): Promise<NatsStateWatch>;
  /** The connection state, once {@linkcode LookupStack.connect} has run. */
  readonly state: NatsStateWatch | undefined;
  /** The per-MAC rate limiter, when limiting is on. */
  readonly limiter: MacRateLimiter | undefined;
  /** Lookups refused by the per-MAC rate limit so far. */
  readonly rateLimited: number;
  /** The subject lookups go to. */
  readonly subject: string;
  /** Stop following the state and close the connection if the stack opened it. */
  close(): Promise<void>;
}

/**
 * Build the DHCP server's lookups over NATS (see the module description).
 * Nothing is connected until the first lookup or
 * {@linkcode LookupStack.connect}.
 *
 * @param options Connection, subject, timeout, cache, rate limit, observers.
 * @returns The stack; dispose of it after the server that uses it.
 * @throws {TypeError} When `servers` holds no NATS URL or a malformed one.
 * @throws {RangeError} On an invalid cache or rate limit setting.
 * @example
 * ```ts ignore
 * await using lookups = createLookupStack({ servers: "nats://127.0.0.1:4222", cacheTtl: 5000 });
 * await using server = await startDhcpServer({ listen: "0.0.0.0:67", backend: lookups });
 * await lookups.connect();
 * ```
 */
export function createLookupStack(
  options: LookupStackOptions = {},
): LookupStack {
  const {
    cacheTtl = 0,
    macRateLimit,
    onLookup,
    onStateChange,
    ...natsOptions
  } = options;
  const nats = new NatsBackend({
    ...natsOptions,
    servers: natsOptions.servers === undefined
      ? undefined
      : parseNatsUrls(natsOptions.servers),
    connectOptions: { name: "dhcp-nats server", ...natsOptions.connectOptions },
  });
  let state: NatsStateWatch | undefined;
  let connecting: Promise<NatsStateWatch> | undefined;
  const guarded = new GuardedBackend(new CoalescingBackend(nats), {
    nats: () => state,
    macRateLimit,
    onLookup,
  });
  const front: Backend = cacheTtl > 0
    ? new CachingBackend(guarded, { ttl: cacheTtl })
    : guarded;
  const close = async () => {
    state?.stop();
    await nats.close();
  };
  return {
    lookup: (
      mac: string,
      lookupOptions?: LookupOptions,
    ): Promise<Reservation | undefined> => front.lookup(mac, lookupOptions),
    connect: () =>
      connecting ??= nats.connection().then(
        (nc) => state = watchNatsState(nc, onStateChange),
        (error) => {
          connecting = undefined;
          throw error;
        },
      ),
    get state() {
      return state;
    },
    get limiter() {
      return guarded.limiter;
    },
    get rateLimited() {
      return guarded.rateLimited;
    },
    get subject() {
      return nats.subject;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
