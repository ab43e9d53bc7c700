/**
 * NATS server URLs: the one default every role uses, and the one reader of
 * comma-separated URL lists (the `--nats-url` flag, `NATS_URL`, the
 * server's and responder's `servers` options).
 *
 * @module
 */

/** Port NATS servers listen on unless told otherwise. */
export const DEFAULT_NATS_PORT = 4222;

/** The NATS server every role uses when none is given. */
export const DEFAULT_NATS_URL = `nats://127.0.0.1:${DEFAULT_NATS_PORT}`;

/** Whether `text` starts with a URL scheme (`nats://`, `tls://`, `ws://`). */
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Parse one NATS server URL; the scheme is optional (`10.0.0.1:4222`
 * means `nats://10.0.0.1:4222`), as nats.js and Go's client take it.
 *
 * @param text For example `nats://10.0.0.1:4222` or `10.0.0.1`.
 * @returns The parsed URL.
 * @throws {TypeError} When `text` is not a URL with a host.
 * @example
 * ```ts
 * import { parseNatsUrl } from "./urls.ts";
 * if (parseNatsUrl("10.0.0.1:4333").port !== "4333") throw new Error();
 * ```
 */
export function parseNatsUrl(text: string): URL {
  const withScheme = WITH_SCHEME.test(text) ? text : `nats://${text}`;
  const url = URL.parse(withScheme);
  if (url === null || url.hostname === "") {
    throw new TypeError(
      `"${text}" is not a NATS URL (like ${DEFAULT_NATS_URL})`,
    );
  }
  return url;
}

/**
 * Split and check a list of NATS server URLs: comma-separated text, or an
 * array whose items may be comma-separated too. Spaces around each URL and
 * empty items are dropped; the URLs come back as written.
 *
 * @param value For example `nats://10.0.0.1:4222, nats://10.0.0.2:4222`.
 * @returns At least one URL.
 * @throws {TypeError} When there is none, or one is not a NATS URL.
 * @example
 * ```ts
 * import { parseNatsUrls } from "./urls.ts";
 * const urls = parseNatsUrls("nats://a:4222, b:4222,");
 * if (urls.length !== 2 || urls[1] !== "b:4222") throw new Error();
 * ```
 */
export function parseNatsUrls(value: string | readonly string[]): string[] {
  const items = typeof value === "string" ? [value] : value;
  const urls = items.flatMap((item) => item.split(","))
    .map((url) => url.trim())
    .filter((url) => url !== "");
  if (urls.length === 0) throw new TypeError("no NATS URL given");
  for (const url of urls) parseNatsUrl(url);
  return urls;
}

/**
 * The host and port a NATS URL names, with the defaults filled in (an
 * IPv6 host without its brackets).
 *
 * @param text A NATS URL, scheme optional.
 * @returns Host name (`127.0.0.1` when empty) and port
 * ({@linkcode DEFAULT_NATS_PORT} when absent).
 * @throws {TypeError} When `text` is not a NATS URL.
 * @example
 * ```ts
 * import { natsHostPort } from "./urls.ts";
 * const { hostname, port } = natsHostPort("nats://[::1]");
 * if (hostname !== "::1" || port !== 4222) throw new Error();
 * ```
 */
export function natsHostPort(text: string): { hostname: string; port: number } {
  const url = parseNatsUrl(text);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: url.port ? Number(url.port) : DEFAULT_NATS_PORT,
  };
}
