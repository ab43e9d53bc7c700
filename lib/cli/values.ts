/**
 * Parsers for command-line values. Each throws a `RangeError` or `TypeError`
 * whose message says what is wrong; the CLI turns it into a usage error.
 *
 * @module
 */
import { isIpv4 } from "../net/ipv4.ts";
import { normalizeMac } from "../net/mac.ts";

/** A host and port pair. */
export interface HostPort {
  /** Host name or dotted-quad address. */
  hostname: string;
  /** Port number, 0 to 65535. */
  port: number;
}

/**
 * Parse a dotted-quad IPv4 address (lib/net/ipv4.ts's rule: 0-255 each, no
 * leading zeros).
 *
 * @throws {TypeError} when it is not one
 */
export function parseIpv4(value: string): string {
  if (!isIpv4(value)) {
    throw new TypeError(`"${value}" is not an IPv4 address (like 192.168.2.1)`);
  }
  return value;
}

/**
 * Parse a port number.
 *
 * @throws {RangeError} outside 0..65535
 */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new RangeError(`"${value}" is not a port number (0 to 65535)`);
  }
  return port;
}

/**
 * Parse `host:port`; `:port` and `port` alone take `defaultHost`, and a host
 * alone takes `defaultPort` when one is given.
 *
 * @throws {TypeError} on a malformed value
 */
export function parseHostPort(
  value: string,
  defaultHost: string,
  defaultPort?: number,
): HostPort {
  const colon = value.lastIndexOf(":");
  if (colon < 0) {
    if (/^\d+$/.test(value)) {
      return { hostname: defaultHost, port: parsePort(value) };
    }
    if (defaultPort === undefined || value === "") {
      throw new TypeError(`"${value}" is not HOST:PORT (like 0.0.0.0:67)`);
    }
    return { hostname: value, port: defaultPort };
  }
  const host = value.slice(0, colon) || defaultHost;
  return { hostname: host, port: parsePort(value.slice(colon + 1)) };
}

/**
 * Parse a duration in milliseconds: `500ms`, `5s`, `2m`, or a bare number
 * of seconds.
 *
 * @throws {TypeError} on anything else
 */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) {
    throw new TypeError(
      `"${value}" is not a duration (like 500ms, 5s, 2m, or seconds)`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  return Math.round(n * factor);
}

/**
 * Parse a whole number within `[min, max]`.
 *
 * @throws {RangeError} when out of range or not a whole number
 */
export function parseInteger(value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new RangeError(
      `"${value}" is not a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

/**
 * Parse an absolute URL.
 *
 * @throws {TypeError} when it is not one
 */
export function parseUrl(value: string): string {
  try {
    return new URL(value).href;
  } catch {
    throw new TypeError(
      `"${value}" is not an absolute URL (like http://host/path)`,
    );
  }
}

/**
 * Parse an Ethernet MAC address (lib/net/mac.ts's rule: hex pairs separated
 * all by `:` or all by `-`, any case; six of them, since the probe sends
 * hardware type 1, length 6) into lower-case colon form.
 *
 * @throws {TypeError} on anything else
 */
export function parseMac(value: string): string {
  const mac = normalizeMac(value);
  if (mac === undefined || mac.length !== 17) {
    throw new TypeError(
      `"${value}" is not a MAC address (like 08:00:27:29:4e:67)`,
    );
  }
  return mac;
}
