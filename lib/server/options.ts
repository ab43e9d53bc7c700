/**
 * Options of the DHCP server and their resolution into settings: defaults
 * applied, `host:port` strings parsed, the server identifier derived.
 *
 * @module
 */
import { isIpv4 } from "../net/ipv4.ts";
import { PXE_PORT } from "./addressing.ts";
import type { Backend } from "../backend/backend.ts";
import type { Logger } from "../log/logger.ts";

/** Netboot options of {@linkcode DhcpServerOptions}. */
export interface NetbootOptions {
  /**
   * Whether PXE/iPXE/HTTP-boot clients get boot options at all.
   * @default {true}
   */
  enabled?: boolean;
  /**
   * TFTP server holding the iPXE binaries, `ip` or `ip:port`.
   * @default {"<serverIp>:69"}
   */
  tftpServer?: string;
  /**
   * Base URL of the iPXE binaries for UEFI HTTP boot clients; the binary
   * name is appended after a `/`.
   * @default {"http://<serverIp>:8080/ipxe"}
   */
  httpIpxeBinaryUrl?: string;
  /**
   * iPXE script URL given to clients already running our iPXE (user class
   * {@linkcode NetbootOptions.userClass}), unless the reservation has its own.
   * Without either, such a client gets the lease without boot options.
   */
  ipxeScriptUrl?: string;
  /**
   * URL of one host's inline iPXE script (`extensions.ipxeScript`), served
   * by the built-in HTTP server; a host with an inline script and no
   * `ipxeScriptUrl` of its own gets it instead of the global one.
   */
  hostScriptUrl?: (mac: string) => string;
  /**
   * User class (option 77) our iPXE build sends; such a client gets the
   * iPXE script URL instead of a binary (breaks the chainload loop).
   * @default {"Tinkerbell"}
   */
  userClass?: string;
}

/**
 * proxyDHCP mode (PXE 2.1): `off` answers as a DHCP server; `reserved`
 * answers only netboot clients whose reservation allows netboot, with boot
 * information and no address; `all` does the same for every netboot
 * client, without a lookup.
 */
export type ProxyMode = "off" | "reserved" | "all";

/** Options of {@linkcode DhcpServer}. */
export interface DhcpServerOptions {
  /**
   * Address and port to listen on, `host:port` (or `host` for port 67).
   * @default {"0.0.0.0:67"}
   */
  listen?: string;
  /**
   * Serve only this network interface (Linux: SO_BINDTODEVICE, with the
   * receiving interface learnt per packet through IP_PKTINFO).
   */
  interface?: string;
  /**
   * Server identifier (option 54) and default next server. Derived from the
   * interface's first IPv4 address, else the listen address, else the first
   * non-loopback IPv4 address of the host.
   */
  serverIp?: string;
  /**
   * Where reservations come from: over NATS, the stack `createLookupStack`
   * builds (lib/nats/lookup_stack.ts); the server does not close it.
   */
  backend: Backend;
  /**
   * Drop, before decoding, the requests of a MAC that is over its lookup
   * rate (the limiter the backend uses: `LookupStack.limiter`); counted as
   * drops with reason `rateLimited`. A looping client then costs little
   * more than its receive.
   */
  macRateLimiter?: {
    refuses(buffer: Uint8Array, offset: number, length: number): boolean;
  };
  /**
   * Lease time in seconds when the reservation has none (or 0).
   * @default {86400}
   */
  defaultLeaseTime?: number;
  /** Netboot settings. */
  netboot?: NetbootOptions;
  /**
   * proxyDHCP mode: another server gives out the addresses, this one only
   * boot information to netboot clients, also on
   * {@linkcode DhcpServerOptions.proxyPort} (see `proxy_handler.ts`).
   * @default {"off"}
   */
  proxy?: ProxyMode;
  /**
   * Port of the PXE boot server listener (on the listen address) in
   * proxyDHCP mode; 0 picks a free one.
   * @default {4011}
   */
  proxyPort?: number;
  /**
   * At most this many lookups in flight; packets over the cap are dropped and
   * counted. The default follows from the wait it allows: at the 5,000-6,000
   * lookups a second a 2-core machine serves, 256 waiting is about 50 ms.
   * Past capacity a larger cap only lengthens every wait (and holds more
   * memory): in the ladder at 8,000/s, 1024 answered 6,800-7,070 DORA/s
   * with a mean DISCOVER-OFFER delay of 23-39 ms, 256 answered 7,660-7,710
   * with 5-6 ms (bench/README.md).
   * @default {256}
   */
  maxInFlight?: number;
  /**
   * Give up on one backend lookup after this many milliseconds (no reply,
   * counted as a backend error), whatever the backend does. The NATS
   * backend has its own, shorter timeout.
   * @default {10000}
   */
  lookupTimeout?: number;
  /**
   * At most this many "malformed packet" log lines per second; the rest are counted.
   * @default {5}
   */
  malformedLogPerSecond?: number;
  /**
   * Logger.
   * @default {silentLogger}
   */
  logger?: Logger;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/** Netboot settings with defaults applied. */
export interface ServerNetbootSettings {
  /** See {@linkcode NetbootOptions.enabled}. */
  enabled: boolean;
  /** TFTP server address. */
  tftpIp: string;
  /** TFTP server port. */
  tftpPort: number;
  /** Base URL of the iPXE binaries over HTTP, without a trailing slash. */
  httpIpxeBinaryUrl: string;
  /** Global iPXE script URL, if any. */
  ipxeScriptUrl?: string;
  /** See {@linkcode NetbootOptions.hostScriptUrl}. */
  hostScriptUrl?: (mac: string) => string;
  /** Our iPXE's user class. */
  userClass: string;
}

/** Server settings resolved from {@linkcode DhcpServerOptions}. */
export interface ServerSettings {
  /** Listen address. */
  listenHost: string;
  /** Listen port. */
  listenPort: number;
  /** Interface to bind to, if any. */
  interface?: string;
  /** Server identifier (option 54). */
  serverIp: string;
  /** Default lease time in seconds. */
  defaultLeaseTime: number;
  /** Netboot settings. */
  netboot: ServerNetbootSettings;
  /** proxyDHCP mode. */
  proxy: ProxyMode;
  /** PXE boot server port in proxyDHCP mode. */
  proxyPort: number;
  /** In-flight cap. */
  maxInFlight: number;
  /** Backend lookup deadline in milliseconds. */
  lookupTimeout: number;
  /** Malformed packet log lines per second. */
  malformedLogPerSecond: number;
}

export { isIpv4 };

/**
 * Parse `host:port` (or `host`, giving `defaultPort`).
 *
 * @param value The text, for example `127.0.0.1:1067`.
 * @param defaultPort Port used when none is given.
 * @param what What the value is, for the error message.
 * @returns The host and port.
 * @throws {TypeError} When the host is not an IPv4 address or the port is not 0-65535.
 * @example
 * ```ts
 * import { parseHostPort } from "./options.ts";
 * const { host, port } = parseHostPort("10.0.0.1", 69, "tftpServer");
 * if (host !== "10.0.0.1" || port !== 69) throw new Error();
 * ```
 */
export function parseHostPort(
  value: string,
  defaultPort: number,
  what: string,
): { host: string; port: number } {
  const index = value.lastIndexOf(":");
  const host = index === -1 ? value : value.slice(0, index);
  const portText = index === -1 ? "" : value.slice(index + 1);
  if (!isIpv4(host)) {
    throw new TypeError(
      `Invalid ${what} "${value}": the host must be an IPv4 address`,
    );
  }
  if (portText === "") return { host, port: defaultPort };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new TypeError(
      `Invalid ${what} "${value}": the port must be a number from 0 to 65535`,
    );
  }
  return { host, port };
}

/** IPv4 addresses of one interface (empty when it has none or does not exist). */
export function interfaceAddresses(name: string): string[] {
  return Deno.networkInterfaces()
    .filter((i) => i.name === name && i.family === "IPv4")
    .map((i) => i.address);
}

function firstHostAddress(): string | undefined {
  return Deno.networkInterfaces().find((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.")
  )?.address;
}

/**
 * Apply defaults and validate the options.
 *
 * @param options The server options.
 * @returns The resolved settings.
 * @throws {TypeError} On a malformed address, or when no server identifier can be derived.
 * @throws {RangeError} On an out-of-range number.
 */
export function resolveSettings(
  options: Omit<DhcpServerOptions, "backend">,
): ServerSettings {
  const { host: listenHost, port: listenPort } = parseHostPort(
    options.listen ?? "0.0.0.0:67",
    67,
    "listen address",
  );
  let serverIp = options.serverIp;
  if (serverIp !== undefined && !isIpv4(serverIp)) {
    throw new TypeError(
      `Invalid serverIp "${serverIp}": it must be an IPv4 address`,
    );
  }
  if (serverIp === undefined && options.interface !== undefined) {
    serverIp = interfaceAddresses(options.interface)[0];
  }
  if (serverIp === undefined && listenHost !== "0.0.0.0") serverIp = listenHost;
  serverIp ??= firstHostAddress();
  if (serverIp === undefined) {
    throw new TypeError(
      "Cannot derive the server identifier: set serverIp, or listen on a specific address",
    );
  }
  const defaultLeaseTime = options.defaultLeaseTime ?? 86400;
  if (
    !Number.isInteger(defaultLeaseTime) || defaultLeaseTime < 1 ||
    defaultLeaseTime > 0xffffffff
  ) {
    throw new RangeError(
      `Invalid defaultLeaseTime ${defaultLeaseTime}: it must be a whole number of seconds from 1 to 4294967295`,
    );
  }
  const maxInFlight = options.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(
      `Invalid maxInFlight ${maxInFlight}: it must be a positive whole number`,
    );
  }
  const lookupTimeout = options.lookupTimeout ?? 10000;
  if (!(lookupTimeout > 0)) {
    throw new RangeError(
      `Invalid lookupTimeout ${lookupTimeout}: it must be a positive number of milliseconds`,
    );
  }
  const nb = options.netboot ?? {};
  const proxy = options.proxy ?? "off";
  if (!["off", "reserved", "all"].includes(proxy)) {
    throw new TypeError(
      `Invalid proxy "${proxy}": it must be off, reserved or all`,
    );
  }
  if (proxy !== "off" && nb.enabled === false) {
    throw new TypeError(
      "Invalid proxy: a proxyDHCP server only gives boot options, so netboot must be enabled",
    );
  }
  const proxyPort = options.proxyPort ?? PXE_PORT;
  if (!Number.isInteger(proxyPort) || proxyPort < 0 || proxyPort > 65535) {
    throw new RangeError(
      `Invalid proxyPort ${proxyPort}: it must be a port number from 0 to 65535`,
    );
  }
  const tftp = parseHostPort(nb.tftpServer ?? serverIp, 69, "tftpServer");
  return {
    listenHost,
    listenPort,
    interface: options.interface,
    serverIp,
    defaultLeaseTime,
    maxInFlight,
    lookupTimeout,
    proxy,
    proxyPort,
    malformedLogPerSecond: options.malformedLogPerSecond ?? 5,
    netboot: {
      enabled: nb.enabled ?? true,
      tftpIp: tftp.host,
      tftpPort: tftp.port,
      httpIpxeBinaryUrl:
        (nb.httpIpxeBinaryUrl ?? `http://${serverIp}:8080/ipxe`)
          .replace(/\/+$/, ""),
      ipxeScriptUrl: nb.ipxeScriptUrl,
      ...(nb.hostScriptUrl && { hostScriptUrl: nb.hostScriptUrl }),
      userClass: nb.userClass ?? "Tinkerbell",
    },
  };
}
