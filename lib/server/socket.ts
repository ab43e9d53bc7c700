/**
 * The server's UDP socket: the common interface, and the implementation on
 * `node:dgram` (any platform, no interface binding), used where the Linux
 * batch socket (socket_linux.ts) cannot be (see open_socket.ts).
 *
 * @module
 */
import dgram from "node:dgram";

/**
 * Receive buffer the batch socket asks for (the kernel caps it at
 * net.core.rmem_max). 1 MiB rather than 4: under overload a deeper queue
 * only holds datagrams until their clients have given up on them
 * (bench/README.md: delay 1.2-3.6 s with 4 MiB, 0.07-0.3 s with 256 KiB-1 MiB).
 */
export const RECEIVE_BUFFER_BYTES = 1 << 20;

/** One received datagram. */
export interface ReceivedPacket {
  /** The UDP payload. */
  data: Uint8Array;
  /** Source address. */
  address: string;
  /** Source port. */
  port: number;
  /** Index of the interface it arrived on (batch sockets only). */
  interfaceIndex?: number;
  /** Destination address of the datagram (batch sockets only). */
  destination?: string;
}

/** A bound UDP socket the server receives from and sends on. */
export interface DhcpSocket extends AsyncDisposable {
  /** The bound address and port. */
  readonly local: { address: string; port: number };
  /**
   * Send one datagram.
   *
   * @throws {Error} When the kernel refuses it.
   */
  send(data: Uint8Array, address: string, port: number): Promise<void>;
  /** Stop receiving and release the socket. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@linkcode openUdpSocket}. */
export interface OpenSocketOptions {
  /** Address to bind. */
  host: string;
  /** Port to bind. */
  port: number;
  /** Called for each datagram. */
  onPacket: (packet: ReceivedPacket) => void;
  /**
   * Asked first, with the receive buffer, the datagram's offset and length:
   * `true` drops the datagram before it is copied or delivered (the
   * server's per-MAC refusal). It must not keep the buffer.
   */
  refuse?: (buffer: Uint8Array, offset: number, length: number) => boolean;
  /** Called when the socket fails after binding. */
  onError?: (error: Error) => void;
}

/**
 * Turn a bind failure into a message that says what to do.
 *
 * @param error The error from bind.
 * @param host The address.
 * @param port The port.
 * @returns The error to throw.
 */
export function bindError(error: unknown, host: string, port: number): Error {
  const code = (error as { code?: string })?.code ?? "";
  const text = error instanceof Error ? error.message : String(error);
  if (
    code === "EACCES" || code === "EPERM" ||
    /EACCES|permission denied/i.test(text)
  ) {
    return new Error(
      `Cannot bind UDP ${host}:${port}: permission denied; port ${port} needs root or CAP_NET_BIND_SERVICE, or listen on a port like 1067 to try it`,
      { cause: error },
    );
  }
  if (code === "EADDRINUSE" || /EADDRINUSE|in use/i.test(text)) {
    return new Error(
      `Cannot bind UDP ${host}:${port}: the address is in use by another process`,
      { cause: error },
    );
  }
  if (code === "EADDRNOTAVAIL" || /EADDRNOTAVAIL/i.test(text)) {
    return new Error(
      `Cannot bind UDP ${host}:${port}: the address is not on this host`,
      { cause: error },
    );
  }
  return new Error(`Cannot bind UDP ${host}:${port}: ${text}`, {
    cause: error,
  });
}

/**
 * Open a UDP socket with `node:dgram`, broadcast enabled.
 *
 * @param options Address, port and callbacks.
 * @returns The bound socket.
 * @throws {Error} When the bind fails (see {@linkcode bindError}).
 * @example
 * ```ts
 * import { openUdpSocket } from "./socket.ts";
 * await using socket = await openUdpSocket({ host: "127.0.0.1", port: 0, onPacket: () => {} });
 * if (socket.local.port === 0) throw new Error();
 * ```
 */
export async function openUdpSocket(
  options: OpenSocketOptions,
): Promise<DhcpSocket> {
  // No recvBufferSize here: Deno's node:dgram then slows to ~100 packets/s
  // (measured with bench/server_perfdhcp.ts); the kernel default is used.
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) =>
      reject(bindError(error, options.host, options.port));
    socket.once("error", fail);
    socket.bind(options.port, options.host, () => {
      socket.off("error", fail);
      resolve();
    });
  }).catch((error) => {
    try {
      socket.close();
    } catch { /* never bound */ }
    throw error;
  });
  socket.setBroadcast(true);
  const refuse = options.refuse;
  socket.on("message", (msg, rinfo) => {
    if (refuse !== undefined && refuse(msg, 0, msg.byteLength)) return;
    options.onPacket({
      data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
      address: rinfo.address,
      port: rinfo.port,
    });
  });
  socket.on("error", (error) => options.onError?.(error));
  const addr = socket.address();
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= new Promise<void>((resolve) => socket.close(() => resolve()));
  return {
    local: { address: addr.address, port: addr.port },
    send: (data, address, port) =>
      new Promise<void>((resolve, reject) => {
        socket.send(data, port, address, (error) =>
          error ? reject(error) : resolve());
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
