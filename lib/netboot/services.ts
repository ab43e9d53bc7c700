/**
 * The netboot services of the DHCP server role: the built-in TFTP and HTTP
 * servers started together, and where DHCP replies should point clients
 * at them (TFTP server, HTTP base URL of the iPXE binaries, per-host
 * script URLs).
 *
 * @module
 */

import type { Backend } from "../backend/backend.ts";
import type { Logger } from "../log/logger.ts";
import { silentLogger } from "../log/logger.ts";
import { hostScriptUrl, startHttpServer } from "./http/server.ts";
import { startTftpServer } from "./tftp/server.ts";

/** An address to listen on. */
export interface ListenAddress {
  /** IPv4 address (`0.0.0.0` for every interface). */
  hostname: string;
  /** Port. */
  port: number;
}

/** Options of {@linkcode startNetbootServices}. */
export interface NetbootServicesOptions {
  /** Start the TFTP server here (off when absent). */
  tftp?: ListenAddress;
  /** Start the HTTP server here (off when absent). */
  http?: ListenAddress;
  /** The boot directory both serve. */
  bootDir?: string;
  /** Reservations, for the per-host script route. */
  backend?: Backend;
  /**
   * The script route also recognises a host by its MAC in the neighbour
   * table (proxyDHCP: its address is another server's).
   * @default {false}
   */
  matchNeighbour?: boolean;
  /**
   * The address clients reach the servers at when they listen on
   * `0.0.0.0` (the DHCP server's identifier).
   */
  advertiseIp: string;
  /**
   * Logger.
   * @default {silentLogger}
   */
  logger?: Logger;
}

/** The running services and where replies point at them. */
export interface NetbootServices extends AsyncDisposable {
  /** `ip:port` of the TFTP server, when it runs. */
  readonly tftpServer?: string;
  /** `http://ip:port` of the HTTP server, when it runs. */
  readonly httpBaseUrl?: string;
  /** The script URL of one host, when the HTTP server runs. */
  readonly hostScriptUrl?: (mac: string) => string;
  /** Stop both. Idempotent. */
  close(): Promise<void>;
}

/**
 * Start the TFTP and/or HTTP server.
 *
 * @param options What to start, where, and what to serve.
 * @returns The services.
 * @throws {Error} When the boot directory is not a directory, or a port
 * cannot be bound (the message says which).
 */
export async function startNetbootServices(
  options: NetbootServicesOptions,
): Promise<NetbootServices> {
  const logger = options.logger ?? silentLogger;
  if (options.bootDir !== undefined) {
    const info = await Deno.stat(options.bootDir).catch((cause) => {
      throw new Error(
        `Cannot serve boot directory ${options.bootDir}: ${cause.message}`,
        { cause },
      );
    });
    if (!info.isDirectory) {
      throw new Error(
        `Cannot serve boot directory ${options.bootDir}: it is not a directory`,
      );
    }
  }
  const advertised = (host: string) =>
    host === "0.0.0.0" ? options.advertiseIp : host;
  const tftp = options.tftp && options.bootDir !== undefined
    ? await startTftpServer({
      hostname: options.tftp.hostname,
      port: options.tftp.port,
      dir: options.bootDir,
      logger: logger.child({ component: "tftp" }),
    })
    : undefined;
  let http;
  try {
    http = options.http
      ? startHttpServer({
        hostname: options.http.hostname,
        port: options.http.port,
        dir: options.bootDir,
        backend: options.backend,
        matchNeighbour: options.matchNeighbour,
        logger: logger.child({ component: "http" }),
      })
      : undefined;
  } catch (error) {
    await tftp?.close();
    throw error;
  }
  const tftpServer = tftp && `${advertised(tftp.hostname)}:${tftp.port}`;
  const httpBaseUrl = http &&
    `http://${advertised(http.hostname)}:${http.port}`;
  if (tftp) {
    logger.info("tftp server listening", {
      address: `${tftp.hostname}:${tftp.port}`,
      dir: options.bootDir,
    });
  }
  if (http) {
    logger.info("http server listening", {
      url: httpBaseUrl,
      dir: options.bootDir,
    });
  }
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= Promise.all([tftp?.close(), http?.close()]).then(() => {});
  return {
    tftpServer,
    httpBaseUrl,
    hostScriptUrl: httpBaseUrl === undefined
      ? undefined
      : (mac) => hostScriptUrl(httpBaseUrl, mac),
    close,
    [Symbol.asyncDispose]: close,
  };
}
