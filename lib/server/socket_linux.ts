/**
 * The Linux interface socket: a UDP socket bound to one network interface
 * (SO_BINDTODEVICE) that learns each datagram's receiving interface and
 * destination address (IP_PKTINFO), through Deno FFI to libc. The server
 * then never answers on another network, and broadcasts leave by that
 * interface even without a default route.
 *
 * Receiving drains the socket with non-blocking `recvmmsg` calls (cheap
 * synchronous FFI calls, up to 32 datagrams each and 256 per event-loop
 * turn; every syscall costs over a microsecond in a VM), and when it is
 * empty waits in `poll` run as a nonblocking FFI call (on a worker thread)
 * with a 200 ms timeout, so closing takes at most that long. Datagrams over
 * 4096 bytes are dropped (reported through `onError`).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { writeIpv4 } from "../net/ipv4.ts";
import { BATCH, batchReceiver, IP_PKTINFO, IPPROTO_IP } from "./_recv_batch.ts";
import {
  bindError,
  type DhcpSocket,
  type OpenSocketOptions,
  RECEIVE_BUFFER_BYTES,
} from "./socket.ts";

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_BROADCAST = 6;
const SO_RCVBUF = 8;
const SO_BINDTODEVICE = 25;
const MSG_DONTWAIT = 0x40;
const POLLIN = 1;
/** Empty drains before waiting in poll. */
const SPIN_TURNS = 1;
const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  13: "EACCES",
  19: "ENODEV",
  90: "EMSGSIZE",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
};

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
  },
  poll: {
    parameters: ["buffer", "usize", "i32"],
    result: "i32",
    nonblocking: true,
  },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  close: { parameters: ["i32"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

function errnoOf(lib: Libc): number {
  const p = lib.symbols.__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

function osError(lib: Libc, what: string): Error & { code: string } {
  const errno = errnoOf(lib);
  const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
  return Object.assign(new Error(`${what} failed: ${code}`), { code });
}

function sockaddrIn(address: string, port: number): Uint8Array {
  const buf = new Uint8Array(16);
  const view = new DataView(buf.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  writeIpv4(address, buf, 4);
  return buf;
}

function pointerValue(buf: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

/** Options of {@linkcode openInterfaceSocket}. */
export interface OpenInterfaceSocketOptions extends OpenSocketOptions {
  /** Interface name, for example `eth0`. */
  interface: string;
}

/**
 * Open a UDP socket bound to one interface (Linux only).
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
  if (Deno.build.os !== "linux") {
    return Promise.reject(
      new Error(
        `Cannot bind to interface ${options.interface}: interface binding needs Linux`,
      ),
    );
  }
  const lib = Deno.dlopen("libc.so.6", SYMBOLS);
  const name = new TextEncoder().encode(options.interface + "\0");
  const index = lib.symbols.if_nametoindex(name);
  if (index === 0) {
    lib.close();
    return Promise.reject(
      new Error(
        `Cannot bind to interface ${options.interface}: no such network interface`,
      ),
    );
  }
  const fd = lib.symbols.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const error = osError(lib, "socket()");
    lib.close();
    return Promise.reject(error);
  }
  const one = new Uint8Array(new Int32Array([1]).buffer);
  const rcvbuf = new Uint8Array(new Int32Array([RECEIVE_BUFFER_BYTES]).buffer);
  const setup: [number, number, Uint8Array, string][] = [
    [SOL_SOCKET, SO_REUSEADDR, one, "SO_REUSEADDR"],
    [SOL_SOCKET, SO_BROADCAST, one, "SO_BROADCAST"],
    [SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF"],
    [IPPROTO_IP, IP_PKTINFO, one, "IP_PKTINFO"],
    [SOL_SOCKET, SO_BINDTODEVICE, name, "SO_BINDTODEVICE"],
  ];
  for (const [level, option, value, label] of setup) {
    if (lib.symbols.setsockopt(fd, level, option, value, value.length) !== 0) {
      const error = osError(lib, `setsockopt(${label})`);
      lib.symbols.close(fd);
      lib.close();
      const hint = label === "SO_BINDTODEVICE" && error.code === "EPERM"
        ? ": binding to an interface needs root or CAP_NET_RAW"
        : `: ${error.message}`;
      return Promise.reject(
        new Error(`Cannot bind to interface ${options.interface}${hint}`, {
          cause: error,
        }),
      );
    }
  }
  if (lib.symbols.bind(fd, sockaddrIn(options.host, options.port), 16) !== 0) {
    const error = osError(lib, "bind()");
    lib.symbols.close(fd);
    lib.close();
    return Promise.reject(bindError(error, options.host, options.port));
  }

  const pollfd = new Uint8Array(8); // struct pollfd { int fd; short events, revents; }
  new DataView(pollfd.buffer).setInt32(0, fd, true);
  new DataView(pollfd.buffer).setInt16(4, POLLIN, true);

  const receiveBatch = batchReceiver(
    (vector, count) =>
      lib.symbols.recvmmsg(fd, vector, count, MSG_DONTWAIT, null),
    pointerValue,
    options,
  );

  // sockaddr_in per destination: replies mostly go to a few relays.
  const destinations = new Map<string, Uint8Array>();

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
      await lib.symbols.poll(pollfd, 1n, 200);
    }
  })();

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      closing = true;
      await loop;
      lib.symbols.close(fd);
      lib.close();
    })();
  return Promise.resolve({
    local: { address: options.host, port: options.port },
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
        lib.symbols.sendto(fd, payload, BigInt(payload.length), 0, to, 16),
      );
      if (sent < 0) {
        return Promise.reject(
          osError(lib, `sendto(${address}:${port}) on ${options.interface}`),
        );
      }
      return Promise.resolve();
    },
    close,
    [Symbol.asyncDispose]: close,
  });
}
