/**
 * glibc through Deno FFI, in one place: the symbols the socket code and the
 * broker call, opened once per process on first use and never closed; the
 * errno helpers; and the constants of `<sys/socket.h>`, `<netinet/in.h>`,
 * `<poll.h>` and `<sys/eventfd.h>` (Linux x86-64 and arm64 values).
 *
 * Users: the DHCP batch socket (lib/server/socket_linux.ts), the TFTP
 * sockets (lib/netboot/tftp/_udp_poller.ts) and the broker's heap trim
 * (lib/broker/heap_trim.ts).
 *
 * @module
 */

/** `AF_INET`: IPv4. */
export const AF_INET = 2;
/** `SOCK_DGRAM`: a datagram socket. */
export const SOCK_DGRAM = 2;
/** `SOCK_NONBLOCK`, or-ed into the socket type. */
export const SOCK_NONBLOCK = 0x800;
/** `SOCK_CLOEXEC`, or-ed into the socket type. */
export const SOCK_CLOEXEC = 0x80000;
/** `SOL_SOCKET`: the level of the `SO_*` options. */
export const SOL_SOCKET = 1;
/** `SO_REUSEADDR`. */
export const SO_REUSEADDR = 2;
/** `SO_BROADCAST`: may send to a broadcast address. */
export const SO_BROADCAST = 6;
/** `SO_RCVBUF`: the receive buffer size. */
export const SO_RCVBUF = 8;
/** `SO_BINDTODEVICE`: receive and send only on one interface. */
export const SO_BINDTODEVICE = 25;
/** `IPPROTO_IP`: the level of the `IP_*` options. */
export const IPPROTO_IP = 0;
/** `IP_PKTINFO`: the receiving interface and destination per datagram. */
export const IP_PKTINFO = 8;
/** `MSG_TRUNC`: the datagram was larger than the buffer (msg_flags). */
export const MSG_TRUNC = 0x20;
/** `MSG_DONTWAIT`: this call does not block. */
export const MSG_DONTWAIT = 0x40;
/** `SHUT_RD`: `shutdown` the receiving side. */
export const SHUT_RD = 0;
/** `POLLIN`: data to read (`struct pollfd` events). */
export const POLLIN = 1;
/** `POLLERR`: an error is pending (`struct pollfd` revents). */
export const POLLERR = 8;
/** `EFD_NONBLOCK`: a non-blocking eventfd. */
export const EFD_NONBLOCK = 0x800;
/** `EFD_CLOEXEC`: an eventfd closed on exec. */
export const EFD_CLOEXEC = 0x80000;

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
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "isize",
  },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
  },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  /** `poll` on a worker thread (a promise): waiting without blocking. */
  poll: {
    parameters: ["buffer", "usize", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** `poll` called synchronously, with timeout 0: which fds are ready. */
  pollNow: {
    name: "poll",
    parameters: ["buffer", "usize", "i32"],
    result: "i32",
  },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  malloc_trim: { parameters: ["usize"], result: "i32" },
  strerror: { parameters: ["i32"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The libc functions, called as `libc().socket(...)`. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let opened: Libc | undefined;

/**
 * glibc's `libc.so.6`, opened on the first call and kept for the life of
 * the process (a failed open is tried again on the next call).
 *
 * @returns Its functions.
 * @throws {Error} Without the FFI permission, or where there is no
 *   `libc.so.6` (not Linux, or musl).
 * @example
 * ```ts ignore
 * import { libc } from "./libc.ts";
 * libc().malloc_trim(0n);
 * ```
 */
export function libc(): Libc {
  return opened ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
}

/**
 * Why {@linkcode libc} cannot be used here: not Linux, no FFI permission
 * (checked without prompting), or `libc.so.6` does not load.
 *
 * @returns `undefined` when it can, else why not.
 * @example
 * ```ts
 * import { libcUnavailable } from "./libc.ts";
 * const why = libcUnavailable();
 * if (Deno.build.os !== "linux" && why === undefined) throw new Error();
 * ```
 */
export function libcUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return `not Linux (${Deno.build.os})`;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "FFI not permitted (--allow-ffi)";
  }
  try {
    libc();
  } catch (error) {
    return `cannot load libc.so.6: ${
      error instanceof Error ? error.message : String(error)
    }`;
  }
  return undefined;
}

/**
 * The `errno` of the calling thread: read it right after the call that
 * failed, before any other libc call.
 *
 * @returns The error number, 0 when none.
 * @throws {Error} When libc cannot be loaded.
 */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/**
 * The text of an error number (`strerror`).
 *
 * @param number The error number.
 * @returns For example `Address already in use`; `errno N` when libc has
 *   no text.
 * @throws {Error} When libc cannot be loaded.
 */
export function strerror(number: number): string {
  const text = libc().strerror(number);
  return text === null
    ? `errno ${number}`
    : new Deno.UnsafePointerView(text).getCString();
}

/**
 * The error of the last failed call, with its errno name as `code`
 * (`EADDRINUSE`; `errno N` for a number without a name here).
 *
 * @param what The call, for the message (`bind()`).
 * @returns The error: "bind() failed: EADDRINUSE".
 * @throws {Error} When libc cannot be loaded.
 */
export function osError(what: string): Error & { code: string } {
  const number = errno();
  const code = ERRNO_NAMES[number] ?? `errno ${number}`;
  return Object.assign(new Error(`${what} failed: ${code}`), { code });
}

/**
 * The address of a byte array, for pointers written into FFI structures.
 *
 * @param buf The array.
 * @returns Its address.
 */
export function pointerValue(buf: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}
