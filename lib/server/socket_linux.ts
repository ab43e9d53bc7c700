/**
 * The Linux batch socket: a UDP socket through Deno FFI to libc that
 * learns each datagram's receiving interface and destination address
 * (IP_PKTINFO) and, given an interface, is bound to it (SO_BINDTODEVICE):
 * the server then never answers on another network, and broadcasts leave by
 * that interface even without a default route. Without an interface it is
 * bound to the listen address and port alone, like the `node:dgram` socket,
 * and replies are routed as theirs are.
 *
 * Receiving drains the socket with non-blocking `recvmmsg` calls (cheap
 * synchronous FFI calls, up to 32 datagrams each and 256 per event-loop
 * turn; every syscall costs over a microsecond in a VM), and when it is
 * empty waits in `poll` run as a nonblocking FFI call (on a worker thread)
 * with a 200 ms timeout; closing wakes it (`shutdown`). Datagrams over 4096
 * bytes are dropped (reported through `onError`).
 *
 * @module
 */
import { setImmediate } from "node:timers";
import {
  AF_INET,
  IP_PKTINFO,
  IPPROTO_IP,
  type Libc,
  libc,
  MSG_DONTWAIT,
  osError,
  pointerValue,
  POLLIN,
  SHUT_RD,
  SO_BINDTODEVICE,
  SO_BROADCAST,
  SO_RCVBUF,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "../sys/libc.ts";
import { boundAddress, sockaddrIn } from "../sys/sockaddr.ts";
import { BATCH, batchReceiver } from "./_recv_batch.ts";
import {
  bindError,
  type DhcpSocket,
  type OpenSocketOptions,
  RECEIVE_BUFFER_BYTES,
} from "./socket.ts";

/** Empty drains before waiting in poll. */
const SPIN_TURNS = 1;

/** Options of {@linkcode openBatchSocket}. */
export interface OpenBatchSocketOptions extends OpenSocketOptions {
  /**
   * Bind to this interface (SO_BINDTODEVICE), for example `eth0`; needs root
   * or CAP_NET_RAW.
   * @default {no interface binding: any interface the address takes}
   */
  interface?: string;
}

/** Options of {@linkcode openInterfaceSocket}. */
export interface OpenInterfaceSocketOptions extends OpenSocketOptions {
  /** Interface name, for example `eth0`. */
  interface: string;
}

/**
 * Open the batch socket (Linux only, with the FFI permission): broadcast
 * enabled, IP_PKTINFO on, bound to the address and port, and to the
 * interface when one is given.
 *
 * @param options Address, port, interface and callbacks.
 * @returns The bound socket; `local` has the real port when 0 was asked.
 * @throws {Error} When the interface does not exist, or the bind is refused
 *   (see {@linkcode bindError}; binding to an interface says it needs root
 *   or CAP_NET_RAW), or libc cannot be loaded.
 * @example
 * ```ts ignore
 * await using socket = await openBatchSocket({
 *   host: "127.0.0.1", port: 0, onPacket: console.log,
 * });
 * ```
 */
export function openBatchSocket(
  options: OpenBatchSocketOptions,
): Promise<DhcpSocket> {
  const device = options.interface;
  if (Deno.build.os !== "linux") {
    return Promise.reject(
      new Error(
        device === undefined
          ? "Cannot open the batch socket: it needs Linux"
          : `Cannot bind to interface ${device}: interface binding needs Linux`,
      ),
    );
  }
  try {
    return Promise.resolve(bound(libc(), options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Open a UDP socket bound to one interface (Linux only): the batch socket
 * with an interface.
 *
 * @param options Interface, address, port and callbacks.
 * @returns The bound socket.
 * @throws {Error} When the interface does not exist, or the bind is refused
 *   (the message says to run as root or with CAP_NET_BIND_SERVICE, or to use
 *   a port like 1067).
 * @example
 * ```ts ignore
 * await using socket = await openInterfaceSocket({
 *   interface: "eth0", host: "0.0.0.0", port: 67, onPacket: console.log,
 * });
 * ```
 */
export function openInterfaceSocket(
  options: OpenInterfaceSocketOptions,
): Promise<DhcpSocket> {
  return openBatchSocket(options);
}

/** Create, set up and bind the socket; throws. */
function bound(lib: Libc, options: OpenBatchSocketOptions): DhcpSocket {
  const device = options.interface;
  const name = device === undefined
    ? undefined
    : new TextEncoder().encode(device + "\0");
  if (name !== undefined && lib.if_nametoindex(name) === 0) {
    throw new Error(
      `Cannot bind to interface ${device}: no such network interface`,
    );
  }
  const fd = lib.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw osError("socket()");
  let local: { address: string; port: number };
  try {
    setUp(lib, fd, options, name);
    local = boundAddress(fd);
  } catch (error) {
    lib.close(fd);
    throw error;
  }
  return serve(lib, fd, local, options);
}

function setUp(
  lib: Libc,
  fd: number,
  options: OpenBatchSocketOptions,
  name: Uint8Array | undefined,
): void {
  const one = new Uint8Array(new Int32Array([1]).buffer);
  const rcvbuf = new Uint8Array(new Int32Array([RECEIVE_BUFFER_BYTES]).buffer);
  const setup: [number, number, Uint8Array, string][] = [
    [SOL_SOCKET, SO_REUSEADDR, one, "SO_REUSEADDR"],
    [SOL_SOCKET, SO_BROADCAST, one, "SO_BROADCAST"],
    [SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF"],
    [IPPROTO_IP, IP_PKTINFO, one, "IP_PKTINFO"],
  ];
  if (name !== undefined) {
    setup.push([SOL_SOCKET, SO_BINDTODEVICE, name, "SO_BINDTODEVICE"]);
  }
  for (const [level, option, value, label] of setup) {
    if (lib.setsockopt(fd, level, option, value, value.length) !== 0) {
      const error = osError(`setsockopt(${label})`);
      if (name === undefined) {
        throw bindError(error, options.host, options.port);
      }
      const hint = label === "SO_BINDTODEVICE" && error.code === "EPERM"
        ? ": binding to an interface needs root or CAP_NET_RAW"
        : `: ${error.message}`;
      throw new Error(`Cannot bind to interface ${options.interface}${hint}`, {
        cause: error,
      });
    }
  }
  if (lib.bind(fd, sockaddrIn(options.host, options.port), 16) !== 0) {
    throw bindError(osError("bind()"), options.host, options.port);
  }
}

/** Receive in a loop until closed; send synchronously. */
function serve(
  lib: Libc,
  fd: number,
  local: { address: string; port: number },
  options: OpenBatchSocketOptions,
): DhcpSocket {
  const pollfd = new Uint8Array(8); // struct pollfd { int fd; short events, revents; }
  new DataView(pollfd.buffer).setInt32(0, fd, true);
  new DataView(pollfd.buffer).setInt16(4, POLLIN, true);

  const receiveBatch = batchReceiver(
    (vector, count) => lib.recvmmsg(fd, vector, count, MSG_DONTWAIT, null),
    pointerValue,
    options,
  );

  // sockaddr_in per destination: replies mostly go to a few relays.
  const destinations = new Map<string, Uint8Array>();
  const via = options.interface === undefined ? "" : ` on ${options.interface}`;

  let closing = false;
  const loop = (async () => {
    let emptyTurns = 0;
    while (!closing) {
      let count = 0;
      for (let got = BATCH; got === BATCH && count < 256 && !closing;) {
        got = receiveBatch();
        count += got;
      }
      if (closing) break;
      // Under load the socket is often empty for a moment only: look once
      // more after a turn before paying for a poll on a worker thread.
      if (count > 0 || emptyTurns++ < SPIN_TURNS) {
        if (count > 0) emptyTurns = 0;
        // Let the handlers and NATS I/O run, then drain again: under load
        // more datagrams have come meanwhile, and an event-loop turn (a few
        // microseconds) is far cheaper than a poll on a worker thread. Not
        // setTimeout(0): nested timers are clamped to ~4 ms, which made
        // datagrams wait and replies leave in bursts. Only an empty socket
        // waits in poll.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await lib.poll(pollfd, 1n, 200);
    }
  })();

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      closing = true;
      // Wakes a poll in progress (Linux does so for unconnected UDP too),
      // so closing does not wait out its timeout.
      lib.shutdown(fd, SHUT_RD);
      await loop;
      lib.close(fd);
    })();
  return {
    local,
    send(payload: Uint8Array, address: string, port: number) {
      if (closing) {
        return Promise.reject(new Error("Cannot send: the socket is closed"));
      }
      const key = `${address}:${port}`;
      let to = destinations.get(key);
      if (to === undefined) {
        to = sockaddrIn(address, port);
        if (destinations.size >= 1024) destinations.clear();
        destinations.set(key, to);
      }
      const sent = Number(
        lib.sendto(fd, payload, BigInt(payload.length), 0, to, 16),
      );
      if (sent < 0) {
        return Promise.reject(
          osError(`sendto(${address}:${port})${via}`),
        );
      }
      return Promise.resolve();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
