/**
 * Which socket the server listens on: the Linux batch socket (recvmmsg,
 * lib/server/socket_linux.ts) wherever it can be used, else `node:dgram`.
 *
 * The batch socket is the one that keeps serving under a flood: a refused
 * datagram costs a look at its chaddr in the receive arena, while
 * `node:dgram` pays a Buffer, an address object and an event for each one
 * before anything can refuse it (bench/README.md, "One MAC flooding").
 *
 * @module
 */
import { type Logger, silentLogger } from "../log/logger.ts";
import { libcUnavailable } from "../sys/libc.ts";
import { type DhcpSocket, openUdpSocket } from "./socket.ts";
import {
  openBatchSocket,
  type OpenBatchSocketOptions,
} from "./socket_linux.ts";

/** The implementation of a server socket. */
export type SocketKind = "recvmmsg" | "node:dgram";

/** A bound server socket and its implementation. */
export interface ServerSocket {
  /** The socket. */
  socket: DhcpSocket;
  /** Which implementation it is. */
  kind: SocketKind;
}

/**
 * Whether the batch socket can be used here: on Linux, with the FFI
 * permission granted, where glibc's `libc.so.6` loads.
 *
 * @returns `undefined` when it can, else why not.
 * @example
 * ```ts
 * import { batchSocketUnusable } from "./open_socket.ts";
 * const why = batchSocketUnusable();
 * if (Deno.build.os !== "linux" && why === undefined) throw new Error();
 * ```
 */
export function batchSocketUnusable(): string | undefined {
  return libcUnavailable();
}

/**
 * Open the server's socket. With an interface: the batch socket bound to
 * it (its errors are the caller's). Without: the batch socket bound to the
 * address and port when {@linkcode batchSocketUnusable} says it can be
 * used, else `node:dgram`, with a debug line saying why.
 *
 * @param options Address, port, interface and callbacks.
 * @param logger Where the debug line goes.
 * @returns The bound socket and which it is.
 * @throws {Error} When the bind fails (the message says why and what to do).
 * @example
 * ```ts
 * import { openServerSocket } from "./open_socket.ts";
 * const { socket, kind } = await openServerSocket({
 *   host: "127.0.0.1", port: 0, onPacket: () => {},
 * });
 * await socket.close();
 * if (Deno.build.os !== "linux" && kind !== "node:dgram") throw new Error();
 * ```
 */
export async function openServerSocket(
  options: OpenBatchSocketOptions,
  logger: Logger = silentLogger,
): Promise<ServerSocket> {
  if (options.interface !== undefined) {
    return { socket: await openBatchSocket(options), kind: "recvmmsg" };
  }
  const unusable = batchSocketUnusable();
  if (unusable === undefined) {
    return { socket: await openBatchSocket(options), kind: "recvmmsg" };
  }
  logger.debug("receiving with node:dgram, not recvmmsg", {
    reason: unusable,
    listen: `${options.host}:${options.port}`,
  });
  return { socket: await openUdpSocket(options), kind: "node:dgram" };
}
