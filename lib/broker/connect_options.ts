/**
 * The CONNECT operation's JSON: the client's protocol options and
 * credentials, with nats-server's defaults.
 *
 * @module
 */

import type { BrokerAuth } from "./options.ts";

/** Protocol options a client sets with CONNECT. */
export interface ConnectOptions {
  /** Acknowledge each operation with `+OK`. */
  verbose: boolean;
  /** Check publish subjects strictly. */
  pedantic: boolean;
  /** Deliver the client's own messages to its subscriptions. */
  echo: boolean;
  /** The client understands HPUB/HMSG. */
  headers: boolean;
  /** Answer requests nobody subscribes to with a 503 status. */
  noResponders: boolean;
  /** Client name, for logs. */
  name: string;
  /** Client library language, for logs. */
  lang: string;
  /** Client library version, for logs. */
  version: string;
}

/**
 * The options before any CONNECT: nats-server 2.9 starts a connection
 * verbose and pedantic (seen in raw experiments), and clients turn that off.
 */
export const DEFAULT_CONNECT_OPTIONS: Readonly<ConnectOptions> = Object.freeze({
  verbose: true,
  pedantic: true,
  echo: true,
  headers: false,
  noResponders: false,
  name: "",
  lang: "",
  version: "",
});

/** A parsed CONNECT. */
export interface ParsedConnect {
  /** The options after applying this CONNECT over the current ones. */
  options: ConnectOptions;
  /** Whether the credentials satisfy the broker's auth (true without auth). */
  authorized: boolean;
}

function safeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/**
 * Parse a CONNECT JSON text. Fields of the wrong type and unknown fields
 * are ignored, as nats-server ignores unknown fields.
 *
 * @param json the CONNECT argument
 * @param current the connection's options so far
 * @param auth the broker's required credentials, if any
 * @returns the new options and whether the client is authorized
 * @throws {SyntaxError} when the text is not JSON
 * @throws {TypeError} when the JSON is not an object
 * @example
 * ```ts
 * import { DEFAULT_CONNECT_OPTIONS, parseConnect } from "./connect_options.ts";
 * const { options, authorized } = parseConnect(
 *   '{"verbose":false,"auth_token":"t"}', DEFAULT_CONNECT_OPTIONS, { token: "t" });
 * if (options.verbose || !authorized) throw new Error();
 * ```
 */
export function parseConnect(
  json: string,
  current: Readonly<ConnectOptions>,
  auth?: BrokerAuth,
): ParsedConnect {
  const o: unknown = JSON.parse(json);
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TypeError("CONNECT argument is not a JSON object");
  }
  const f = o as Record<string, unknown>;
  const flag = (key: string, was: boolean) =>
    typeof f[key] === "boolean" ? f[key] as boolean : was;
  const text = (key: string, was: string) =>
    typeof f[key] === "string" ? f[key] as string : was;
  const options: ConnectOptions = {
    verbose: flag("verbose", current.verbose),
    pedantic: flag("pedantic", current.pedantic),
    echo: flag("echo", current.echo),
    headers: flag("headers", current.headers),
    noResponders: flag("no_responders", current.noResponders),
    name: text("name", current.name),
    lang: text("lang", current.lang),
    version: text("version", current.version),
  };
  let authorized = true;
  if (auth) {
    authorized = "token" in auth
      ? typeof f.auth_token === "string" && safeEqual(f.auth_token, auth.token)
      : typeof f.user === "string" && typeof f.pass === "string" &&
        safeEqual(f.user, auth.user) && safeEqual(f.pass, auth.pass);
  }
  return { options, authorized };
}
