/**
 * Turn the command line's NATS settings into nats.js connection options:
 * servers, token, user and password, NKey seed file, credentials file and
 * TLS. Every role connects with these, reconnecting forever.
 *
 * @module
 */
import {
  type Authenticator,
  type ConnectionOptions,
  credsAuthenticator,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from "@nats-io/nats-core";
/** The NATS settings of the command line (every role, and `kv`). */
export interface NatsSettings {
  /** NATS server URLs. */
  natsUrl: string[];
  /** NATS token (secret). */
  natsToken?: string;
  /** NATS user. */
  natsUser?: string;
  /** NATS password (secret). */
  natsPassword?: string;
  /** NATS credentials file. */
  natsCreds?: string;
  /** NKey seed file. */
  natsNkey?: string;
  /** CA file for NATS TLS. */
  natsTlsCa?: string;
  /** Client certificate for NATS TLS. */
  natsTlsCert?: string;
  /** Client key for NATS TLS. */
  natsTlsKey?: string;
}

async function readFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    throw new Error(
      `Cannot read the ${what} ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Build connection options for one role.
 *
 * @param settings NATS settings from the command line.
 * @param name Connection name shown by the NATS server (`dhcp-nats dhcp`).
 * @returns Options for `connect()`.
 * @throws {Error} when a credentials, NKey or TLS file cannot be read
 *
 * @example
 * ```ts
 * import { natsConnectionOptions } from "./nats_options.ts";
 * const opts = await natsConnectionOptions(
 *   { natsUrl: ["nats://127.0.0.1:4222"], natsToken: "t" },
 *   "dhcp-nats example",
 * );
 * if (opts.maxReconnectAttempts !== -1) throw new Error();
 * ```
 */
export async function natsConnectionOptions(
  settings: NatsSettings,
  name: string,
): Promise<ConnectionOptions> {
  const authenticator: Authenticator[] = [];
  if (settings.natsToken) {
    authenticator.push(tokenAuthenticator(settings.natsToken));
  }
  if (settings.natsUser) {
    authenticator.push(
      usernamePasswordAuthenticator(settings.natsUser, settings.natsPassword),
    );
  }
  if (settings.natsNkey) {
    const seed = new TextDecoder().decode(
      await readFile(settings.natsNkey, "NKey seed file"),
    ).trim();
    authenticator.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  }
  if (settings.natsCreds) {
    authenticator.push(
      credsAuthenticator(
        await readFile(settings.natsCreds, "credentials file"),
      ),
    );
  }
  const options: ConnectionOptions = {
    servers: settings.natsUrl,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    maxPingOut: 3,
    waitOnFirstConnect: true,
  };
  if (authenticator.length > 0) options.authenticator = authenticator;
  if (settings.natsTlsCa || settings.natsTlsCert || settings.natsTlsKey) {
    options.tls = {};
    if (settings.natsTlsCa) options.tls.caFile = settings.natsTlsCa;
    if (settings.natsTlsCert) options.tls.certFile = settings.natsTlsCert;
    if (settings.natsTlsKey) options.tls.keyFile = settings.natsTlsKey;
  }
  return options;
}
