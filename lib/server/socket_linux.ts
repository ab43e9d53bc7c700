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
import { copyBytes } from "../bytes/alloc.ts";
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
const IPPROTO_IP = 0;
const IP_PKTINFO = 8;
const MSG_DONTWAIT = 0x40;
const POLLIN = 1;
const MSG_TRUNC = 0x20;
/** Empty drains before waiting in poll. */
const SPIN_TURNS = 1;

// recvmmsg takes an array of struct mmsghdr (msghdr, 56 bytes, + msg_len,
// padded to 64); each points at its slot: sockaddr_in, iovec, control
// buffer and data, laid out after the array.
/** Datagrams per recvmmsg call. */
const BATCH = 32;
const MMSGHDR_BYTES = 64;
const MSG_LEN_AT = 56;
const FROM_AT = 0;
const IOV_AT = 16;
const CONTROL_AT = 32;
const CONTROL_BYTES = 64;
const DATA_AT = 96;
/** Largest datagram taken; DHCP over Ethernet stays under 1500 bytes. */
const DATA_BYTES = 4096;
const SLOT_BYTES = DATA_AT + DATA_BYTES;
const SLOTS_AT = BATCH * MMSGHDR_BYTES;
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
  buf.set(address.split(".").map(Number), 4);
  return buf;
}

function ipAt(buf: Uint8Array, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
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

  // recvmmsg buffers, reused: BATCH slots, each an mmsghdr (msghdr + length)
  // pointing at its own sockaddr_in, iovec -> data, and control buffer. All
  // carved from one ArrayBuffer large enough to live off the V8 heap, so
  // their addresses never move and the pointers are written once.
  const arena = new ArrayBuffer(SLOTS_AT + BATCH * SLOT_BYTES);
  const bytes = new Uint8Array(arena);
  const view = new DataView(arena);
  const base = pointerValue(bytes);
  for (let i = 0; i < BATCH; i++) {
    const slot = SLOTS_AT + i * SLOT_BYTES;
    const hdr = i * MMSGHDR_BYTES;
    view.setBigUint64(hdr, base + BigInt(slot + FROM_AT), true); // msg_name
    view.setBigUint64(hdr + 16, base + BigInt(slot + IOV_AT), true); // msg_iov
    view.setBigUint64(hdr + 24, 1n, true); // msg_iovlen
    view.setBigUint64(hdr + 32, base + BigInt(slot + CONTROL_AT), true);
    view.setBigUint64(slot + IOV_AT, base + BigInt(slot + DATA_AT), true);
    view.setBigUint64(slot + IOV_AT + 8, BigInt(DATA_BYTES), true);
  }
  const vector = new Uint8Array(arena, 0, SLOTS_AT);
  /** Slots the kernel wrote in the last call (their lengths need a reset). */
  let filled = BATCH;

  const pollfd = new Uint8Array(8); // struct pollfd { int fd; short events, revents; }
  new DataView(pollfd.buffer).setInt32(0, fd, true);
  new DataView(pollfd.buffer).setInt16(4, POLLIN, true);

  /** One non-blocking recvmmsg; the number of datagrams, 0 when empty. */
  const receiveBatch = (): number => {
    // recvmmsg rewrites only the lengths and flags: reset those.
    for (let i = 0; i < filled; i++) {
      const hdr = i * MMSGHDR_BYTES;
      view.setUint32(hdr + 8, 16, true); // msg_namelen
      view.setUint32(hdr + 40, CONTROL_BYTES, true); // msg_controllen (low)
      view.setUint32(hdr + 44, 0, true);
      view.setInt32(hdr + 48, 0, true); // msg_flags
    }
    const count = lib.symbols.recvmmsg(fd, vector, BATCH, MSG_DONTWAIT, null);
    if (count <= 0) {
      filled = 0;
      return 0; // EAGAIN: empty (or an error: wait in poll)
    }
    filled = count;
    for (let i = 0; i < count; i++) deliver(i);
    return count;
  };

  const deliver = (i: number): void => {
    const hdr = i * MMSGHDR_BYTES;
    const slot = SLOTS_AT + i * SLOT_BYTES;
    const n = view.getUint32(hdr + MSG_LEN_AT, true);
    if (view.getInt32(hdr + 48, true) & MSG_TRUNC) {
      options.onError?.(
        new Error(
          `Datagram over ${DATA_BYTES} bytes from ${
            ipAt(bytes, slot + FROM_AT + 4)
          } dropped`,
        ),
      );
      return;
    }
    const packet = {
      data: copyBytes(bytes, slot + DATA_AT, slot + DATA_AT + n),
      address: ipAt(bytes, slot + FROM_AT + 4),
      port: bytes[slot + FROM_AT + 2] << 8 | bytes[slot + FROM_AT + 3],
      interfaceIndex: undefined as number | undefined,
      destination: undefined as string | undefined,
    };
    const controlLength = view.getUint32(hdr + 40, true);
    const control = slot + CONTROL_AT;
    for (let at = 0; at + 16 <= controlLength;) {
      const len = view.getUint32(control + at, true);
      if (len < 16) break;
      if (
        view.getInt32(control + at + 8, true) === IPPROTO_IP &&
        view.getInt32(control + at + 12, true) === IP_PKTINFO
      ) {
        packet.interfaceIndex = view.getInt32(control + at + 16, true);
        packet.destination = ipAt(bytes, control + at + 24);
      }
      at += (len + 7) & ~7;
    }
    try {
      options.onPacket(packet);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };

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
