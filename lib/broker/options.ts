/**
 * Options of the embedded broker and their defaults (those of nats-server
 * 2.9 where one exists).
 *
 * @module
 */

import { type Logger, silentLogger } from "../log/logger.ts";
import { DEFAULT_NATS_PORT } from "../nats/urls.ts";

/** Credentials a client must present in CONNECT. */
export type BrokerAuth =
  | { /** `auth_token` the client must send. */ token: string }
  | {
    /** `user` the client must send. */
    user: string;
    /** `pass` the client must send. */
    pass: string;
  };

/** Options of {@linkcode startBroker}. */
export interface BrokerOptions {
  /**
   * Address to listen on. Anything but loopback must be set explicitly.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * TCP port; 0 picks a free one.
   * @default {4222}
   */
  port?: number;
  /**
   * Server name announced in INFO.
   * @default {the server id}
   */
  serverName?: string;
  /**
   * Largest PUB/HPUB payload in bytes (headers included).
   * @default {1048576}
   */
  maxPayload?: number;
  /**
   * Longest control line in bytes.
   * @default {4096}
   */
  maxControlLine?: number;
  /**
   * Most client connections at once.
   * @default {65536}
   */
  maxConnections?: number;
  /**
   * Outbound bytes a client may have waiting before it is dropped as a slow
   * consumer.
   * @default {67108864}
   */
  maxPending?: number;
  /**
   * Milliseconds between server PINGs to each client.
   * @default {120000}
   */
  pingInterval?: number;
  /**
   * Unanswered PINGs after which a client is closed as stale.
   * @default {2}
   */
  maxPingsOut?: number;
  /** Credentials required of every client; none by default. */
  auth?: BrokerAuth;
  /**
   * Milliseconds a client has to send CONNECT when auth is on.
   * @default {2000}
   */
  authTimeout?: number;
  /**
   * Port of the HTTP monitoring endpoint (`/varz`, `/healthz`) on the same
   * hostname; 0 picks a free one. Off when not set.
   */
  httpPort?: number;
  /**
   * Where connections and errors are logged.
   * @default {silentLogger}
   */
  logger?: Logger;
  /** Aborting closes the broker. */
  signal?: AbortSignal;
}

/** {@linkcode BrokerOptions} with every default filled in. */
export type ResolvedBrokerOptions =
  & Required<Omit<BrokerOptions, "auth" | "signal" | "serverName" | "httpPort">>
  & Pick<BrokerOptions, "auth" | "signal" | "serverName" | "httpPort">;

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(
      `Invalid broker option ${name}: ${v} is not a positive integer`,
    );
  }
  return v;
}

/**
 * Fill in defaults and check ranges.
 *
 * @param options what the caller gave
 * @returns complete options
 * @throws {RangeError} when a limit is not a positive integer or the port is out of range
 * @throws {TypeError} when auth has neither a token nor a user
 * @example
 * ```ts
 * import { resolveBrokerOptions } from "./options.ts";
 * if (resolveBrokerOptions({}).port !== 4222) throw new Error();
 * ```
 */
export function resolveBrokerOptions(
  options: BrokerOptions,
): ResolvedBrokerOptions {
  const port = options.port ?? DEFAULT_NATS_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Invalid broker option port: ${port} is not between 0 and 65535`,
    );
  }
  const auth = options.auth;
  if (auth && !("token" in auth) && !("user" in auth)) {
    throw new TypeError(
      "Invalid broker option auth: give a token or a user and pass",
    );
  }
  return {
    hostname: options.hostname ?? "127.0.0.1",
    port,
    serverName: options.serverName,
    maxPayload: positiveInt("maxPayload", options.maxPayload, 1024 * 1024),
    maxControlLine: positiveInt("maxControlLine", options.maxControlLine, 4096),
    maxConnections: positiveInt(
      "maxConnections",
      options.maxConnections,
      65536,
    ),
    maxPending: positiveInt("maxPending", options.maxPending, 64 * 1024 * 1024),
    pingInterval: positiveInt("pingInterval", options.pingInterval, 120_000),
    maxPingsOut: positiveInt("maxPingsOut", options.maxPingsOut, 2),
    authTimeout: positiveInt("authTimeout", options.authTimeout, 2000),
    auth,
    httpPort: options.httpPort,
    logger: options.logger ?? silentLogger,
    signal: options.signal,
  };
}
