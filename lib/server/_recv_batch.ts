/**
 * Private: batched receive for the interface socket. One `recvmmsg` call
 * takes up to {@linkcode BATCH} datagrams with their source address and
 * IP_PKTINFO (receiving interface, destination address); every syscall
 * costs over a microsecond in a VM.
 *
 * @module
 */
import { copyBytes } from "../bytes/alloc.ts";
import { IP_PKTINFO, IPPROTO_IP, MSG_TRUNC } from "../sys/libc.ts";
import type { OpenSocketOptions } from "./socket.ts";

/** Datagrams per recvmmsg call. */
export const BATCH = 32;

// recvmmsg takes an array of struct mmsghdr (msghdr, 56 bytes, + msg_len,
// padded to 64); each points at its slot: sockaddr_in, iovec, control
// buffer and data, laid out after the array.
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

function ipAt(buf: Uint8Array, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/**
 * A receiver over reused buffers: each call does one non-blocking recvmmsg
 * and hands every datagram to `options.onPacket`; a datagram over 4096 bytes
 * is dropped and reported through `options.onError`.
 *
 * @param recvmmsg `recvmmsg(fd, vector, count, MSG_DONTWAIT, NULL)`.
 * @param pointerOf The address of a byte array (FFI).
 * @param options The socket's callbacks.
 * @returns Receives once; the number of datagrams, 0 when none waited.
 */
export function batchReceiver(
  recvmmsg: (vector: Uint8Array, count: number) => number,
  pointerOf: (bytes: Uint8Array) => bigint,
  options: Pick<OpenSocketOptions, "onPacket" | "onError" | "refuse">,
): () => number {
  // All carved from one ArrayBuffer large enough to live off the V8 heap,
  // so their addresses never move and the pointers are written once.
  const arena = new ArrayBuffer(SLOTS_AT + BATCH * SLOT_BYTES);
  const bytes = new Uint8Array(arena);
  const view = new DataView(arena);
  const base = pointerOf(bytes);
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
  const refuse = options.refuse;

  const deliver = (i: number): void => {
    const hdr = i * MMSGHDR_BYTES;
    const slot = SLOTS_AT + i * SLOT_BYTES;
    // Refused straight from the arena: no copy, no strings, no object.
    if (
      refuse !== undefined &&
      refuse(bytes, slot + DATA_AT, view.getUint32(hdr + MSG_LEN_AT, true))
    ) {
      return;
    }
    const from = ipAt(bytes, slot + FROM_AT + 4);
    if (view.getInt32(hdr + 48, true) & MSG_TRUNC) {
      options.onError?.(
        new Error(`Datagram over ${DATA_BYTES} bytes from ${from} dropped`),
      );
      return;
    }
    const n = view.getUint32(hdr + MSG_LEN_AT, true);
    const packet = {
      data: copyBytes(bytes, slot + DATA_AT, slot + DATA_AT + n),
      address: from,
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

  return () => {
    // recvmmsg rewrites only the lengths and flags: reset those.
    for (let i = 0; i < filled; i++) {
      const hdr = i * MMSGHDR_BYTES;
      view.setUint32(hdr + 8, 16, true); // msg_namelen
      view.setUint32(hdr + 40, CONTROL_BYTES, true); // msg_controllen (low)
      view.setUint32(hdr + 44, 0, true);
      view.setInt32(hdr + 48, 0, true); // msg_flags
    }
    const count = recvmmsg(vector, BATCH);
    filled = Math.max(0, count);
    for (let i = 0; i < count; i++) deliver(i);
    return filled; // 0 on EAGAIN (empty) or an error: wait in poll
  };
}
