/**
 * Private: the libc functions the Linux batch socket calls through Deno FFI
 * (lib/server/socket_linux.ts), with errno and `sockaddr_in` helpers.
 *
 * @module
 */
import { formatIpv4, writeIpv4 } from "../net/ipv4.ts";

/** `AF_INET`. */
export const AF_INET = 2;

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
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The opened library. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

/**
 * Open glibc's `libc.so.6` with the symbols above.
 *
 * @returns The library; close it when done.
 * @throws {Error} Without the FFI permission, or where there is no
 *   `libc.so.6` (not Linux, or musl).
 */
export function openLibc(): Libc {
  return Deno.dlopen("libc.so.6", SYMBOLS);
}

function errnoOf(lib: Libc): number {
  const p = lib.symbols.__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/**
 * The error of the last failed call, with its errno name as `code`.
 *
 * @param lib The library.
 * @param what The call, for the message (`bind()`).
 * @returns The error.
 */
export function osError(lib: Libc, what: string): Error & { code: string } {
  const errno = errnoOf(lib);
  const code = ERRNO_NAMES[errno] ?? `errno ${errno}`;
  return Object.assign(new Error(`${what} failed: ${code}`), { code });
}

/**
 * A `struct sockaddr_in`.
 *
 * @param address Dotted-quad IPv4 address.
 * @param port UDP port.
 * @returns Its 16 bytes.
 */
export function sockaddrIn(address: string, port: number): Uint8Array {
  const buf = new Uint8Array(16);
  const view = new DataView(buf.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  writeIpv4(address, buf, 4);
  return buf;
}

/**
 * The address and port a socket is bound to (`getsockname`), for a bind to
 * port 0.
 *
 * @param lib The library.
 * @param fd The socket.
 * @returns The bound address and port.
 * @throws {Error} When getsockname fails.
 */
export function boundAddress(
  lib: Libc,
  fd: number,
): { address: string; port: number } {
  const addr = new Uint8Array(16);
  const length = new Uint8Array(new Uint32Array([16]).buffer);
  if (lib.symbols.getsockname(fd, addr, length) !== 0) {
    throw osError(lib, "getsockname()");
  }
  return {
    address: formatIpv4(addr, 4),
    port: addr[2] << 8 | addr[3],
  };
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
