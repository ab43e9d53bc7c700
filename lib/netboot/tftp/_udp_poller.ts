/**
 * UDP sockets for the TFTP server through Deno FFI to libc (Linux): one
 * loop drains every socket with non-blocking `recvfrom` and hands each
 * datagram to its socket's handler synchronously; replies leave with a
 * synchronous `sendto`. Only when every socket is empty does the loop wait,
 * in `poll` run as a nonblocking FFI call (a worker thread), woken by an
 * eventfd when sockets are added.
 *
 * Why not `node:dgram`: TFTP is one small datagram per round trip, and its
 * per-datagram cost (an async op and an event each way) made our TFTP
 * server 0.25-0.4x as fast as dnsmasq's with 20 clients (bench/
 * netboot_compare.ts); the same loop shape serves the DHCP interface
 * socket (lib/server/socket_linux.ts).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import {
  AF_INET,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  errno,
  type Libc,
  libc,
  MSG_DONTWAIT,
  POLLERR,
  POLLIN,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  strerror,
} from "../../sys/libc.ts";
import {
  boundAddress,
  SOCKADDR_IN_BYTES,
  sockaddrIn,
  sockaddrInAddress,
  sockaddrInPort,
} from "../../sys/sockaddr.ts";

/** The largest datagram received (a TFTP ACK or request is far smaller). */
const RECEIVE_BYTES = 65536;
const RECEIVE_BYTES_N = BigInt(RECEIVE_BYTES);
/** Datagrams taken from one socket per pass, so one busy client cannot starve the rest. */
const PER_SOCKET = 16;
/**
 * Above this many sockets a pass first asks `poll` (timeout 0) which have
 * data, instead of a `recvfrom` per socket that mostly finds it empty: with
 * 20 transfers in lock-step, most of a pass's syscalls were EAGAINs.
 */
const DIRECT_DRAIN_SOCKETS = 2;
/** Empty passes before waiting in poll. */
const SPIN_TURNS = 1;

/** Called for each datagram; `data` is only valid during the call. */
export type DatagramHandler = (
  data: Uint8Array,
  address: string,
  port: number,
) => void;

/** One bound UDP socket of a {@linkcode UdpPoller}. */
export interface UdpSocket {
  /** The bound address. */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /**
   * Send one datagram now.
   *
   * @returns `false` when the kernel refused it (full buffer, unreachable).
   */
  send(data: Uint8Array, to: Uint8Array): boolean;
  /** Stop receiving and close. Idempotent. */
  close(): void;
}

/** Every TFTP socket of one server, received in one loop. */
export class UdpPoller {
  readonly #lib: Libc;
  readonly #wake: number;
  readonly #sockets = new Map<number, DatagramHandler>();
  readonly #buffer = new Uint8Array(RECEIVE_BYTES);
  readonly #from = new Uint8Array(SOCKADDR_IN_BYTES);
  readonly #fromLength = new Uint32Array(1);
  readonly #loop: Promise<void>;
  #pollfds = new Uint8Array(0);
  #pollView = new DataView(new ArrayBuffer(0));
  #changed = true;
  #closing = false;

  /** @throws {Error} Off Linux, or when libc cannot be loaded. */
  constructor() {
    if (Deno.build.os !== "linux") {
      throw new Error("Cannot start the TFTP server: it needs Linux");
    }
    this.#lib = libc();
    this.#wake = this.#lib.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.#wake < 0) throw this.#error("eventfd()");
    this.#loop = this.#run();
  }

  #error(what: string): Error {
    return new Error(`${what} failed: ${strerror(errno())}`);
  }

  /**
   * Bind a socket and receive on it.
   *
   * @param host Address to bind.
   * @param port Port to bind (0: a free one).
   * @param handler Called for each datagram.
   * @returns The socket.
   * @throws {Error} When it cannot be bound (the message says why).
   */
  open(host: string, port: number, handler: DatagramHandler): UdpSocket {
    const lib = this.#lib;
    const fd = lib.socket(
      AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) throw this.#error("socket()");
    if (lib.bind(fd, sockaddrIn(host, port), SOCKADDR_IN_BYTES) !== 0) {
      const error = this.#error(`bind(${host}:${port})`);
      lib.close(fd);
      throw error;
    }
    let local: { port: number };
    try {
      local = boundAddress(fd);
    } catch (error) {
      lib.close(fd);
      throw error;
    }
    this.#sockets.set(fd, handler);
    this.#changed = true;
    lib.write(this.#wake, new Uint8Array(new BigUint64Array([1n]).buffer), 8n);
    let open = true;
    return {
      address: host,
      port: local.port,
      send: (data, to) =>
        open &&
        lib.sendto(fd, data, BigInt(data.length), 0, to, SOCKADDR_IN_BYTES) >=
          0,
      close: () => {
        if (!open) return;
        open = false;
        this.#sockets.delete(fd);
        this.#changed = true;
        lib.close(fd);
      },
    };
  }

  /** Drain every socket with data once; returns the datagrams handled. */
  #drain(): number {
    let handled = 0;
    if (this.#sockets.size <= DIRECT_DRAIN_SOCKETS) {
      for (const [fd, handler] of this.#sockets) {
        handled += this.#drainOne(fd, handler);
      }
      return handled;
    }
    const set = this.#pollSet();
    const count = set.length / 8;
    if (this.#lib.pollNow(set, BigInt(count), 0) <= 0) return 0;
    const view = this.#pollView;
    for (let i = 1; i < count; i++) { // entry 0 is the eventfd
      if ((view.getInt16(8 * i + 6, true) & (POLLIN | POLLERR)) === 0) continue;
      const fd = view.getInt32(8 * i, true);
      const handler = this.#sockets.get(fd);
      if (handler !== undefined) handled += this.#drainOne(fd, handler);
    }
    return handled;
  }

  /** Receive up to PER_SOCKET datagrams from one socket. */
  #drainOne(fd: number, handler: DatagramHandler): number {
    const lib = this.#lib;
    let handled = 0;
    for (let i = 0; i < PER_SOCKET; i++) {
      this.#fromLength[0] = SOCKADDR_IN_BYTES;
      const n = Number(
        lib.recvfrom(
          fd,
          this.#buffer,
          RECEIVE_BYTES_N,
          MSG_DONTWAIT,
          this.#from,
          this.#fromLength,
        ),
      );
      if (n < 0) break; // EAGAIN: empty (or an ICMP error: ignore)
      handled++;
      handler(
        this.#buffer.subarray(0, n),
        sockaddrInAddress(this.#from, 0),
        sockaddrInPort(this.#from, 0),
      );
      if (!this.#sockets.has(fd)) break; // closed by its handler
    }
    return handled;
  }

  #pollSet(): Uint8Array {
    if (this.#changed) {
      this.#changed = false;
      const fds = [this.#wake, ...this.#sockets.keys()];
      const set = new Uint8Array(8 * fds.length);
      const view = new DataView(set.buffer);
      fds.forEach((fd, i) => {
        view.setInt32(8 * i, fd, true);
        view.setInt16(8 * i + 4, POLLIN, true);
      });
      this.#pollfds = set;
      this.#pollView = view;
    }
    return this.#pollfds;
  }

  async #run(): Promise<void> {
    const drainWake = new Uint8Array(8);
    let idle = 0;
    while (!this.#closing) {
      const handled = this.#drain();
      if (handled > 0) idle = 0;
      if (handled > 0 || idle++ < SPIN_TURNS) {
        // Let timers and other I/O run, then look again: under load more
        // datagrams have arrived, and a turn is cheaper than a poll.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      idle = 0;
      const set = this.#pollSet();
      await this.#lib.poll(set, BigInt(set.length / 8), 200);
      this.#lib.read(this.#wake, drainWake, 8n);
    }
  }

  /** Close every socket and stop the loop. Idempotent. */
  async close(): Promise<void> {
    if (this.#closing) return await this.#loop;
    this.#closing = true;
    this.#lib.write(
      this.#wake,
      new Uint8Array(new BigUint64Array([1n]).buffer),
      8n,
    );
    await this.#loop;
    for (const fd of this.#sockets.keys()) this.#lib.close(fd);
    this.#sockets.clear();
    this.#lib.close(this.#wake);
  }
}
