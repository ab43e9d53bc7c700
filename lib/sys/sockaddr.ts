/**
 * IPv4 socket addresses (`struct sockaddr_in`, 16 bytes: family little-
 * endian, port big-endian, the address, 8 zero bytes) for the FFI sockets.
 *
 * @module
 */
import { formatIpv4, writeIpv4 } from "../net/ipv4.ts";
import { AF_INET, libc, osError } from "./libc.ts";

/** The size of a `struct sockaddr_in`. */
export const SOCKADDR_IN_BYTES = 16;

/**
 * A `struct sockaddr_in`.
 *
 * @param address Dotted-quad IPv4 address.
 * @param port UDP port.
 * @returns Its 16 bytes.
 * @throws {TypeError} When `address` is not an IPv4 address.
 * @example
 * ```ts
 * import { sockaddrIn } from "./sockaddr.ts";
 * const addr = sockaddrIn("10.0.0.1", 67);
 * if (addr[0] !== 2 || addr[3] !== 67 || addr[4] !== 10) throw new Error();
 * ```
 */
export function sockaddrIn(address: string, port: number): Uint8Array {
  const buf = new Uint8Array(SOCKADDR_IN_BYTES);
  buf[0] = AF_INET; // sa_family, little-endian u16
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  writeIpv4(address, buf, 4);
  return buf;
}

/**
 * The address of a `struct sockaddr_in`.
 *
 * @param buf Bytes holding it.
 * @param at Where it starts.
 * @returns The dotted quad.
 * @example
 * ```ts
 * import { sockaddrIn, sockaddrInAddress } from "./sockaddr.ts";
 * if (sockaddrInAddress(sockaddrIn("10.0.0.1", 67), 0) !== "10.0.0.1") {
 *   throw new Error();
 * }
 * ```
 */
export function sockaddrInAddress(buf: Uint8Array, at: number): string {
  return formatIpv4(buf, at + 4);
}

/**
 * The port of a `struct sockaddr_in`.
 *
 * @param buf Bytes holding it.
 * @param at Where it starts.
 * @returns The port.
 * @example
 * ```ts
 * import { sockaddrIn, sockaddrInPort } from "./sockaddr.ts";
 * if (sockaddrInPort(sockaddrIn("10.0.0.1", 67), 0) !== 67) throw new Error();
 * ```
 */
export function sockaddrInPort(buf: Uint8Array, at: number): number {
  return buf[at + 2] << 8 | buf[at + 3];
}

/**
 * The address and port a socket is bound to (`getsockname`), for a bind to
 * port 0.
 *
 * @param fd The socket.
 * @returns The bound address and port.
 * @throws {Error} When getsockname fails, or libc cannot be loaded.
 */
export function boundAddress(fd: number): { address: string; port: number } {
  const addr = new Uint8Array(SOCKADDR_IN_BYTES);
  const length = new Uint8Array(
    new Uint32Array([SOCKADDR_IN_BYTES]).buffer,
  );
  if (libc().getsockname(fd, addr, length) !== 0) {
    throw osError("getsockname()");
  }
  return { address: sockaddrInAddress(addr, 0), port: sockaddrInPort(addr, 0) };
}
