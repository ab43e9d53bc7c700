/**
 * One TFTP read transfer over its own UDP port (the server's transfer ID):
 * the OACK handshake when options were negotiated, then DATA in windows
 * (RFC 7440; a window of 1 is RFC 1350's lock-step), retransmission with
 * exponential backoff, and a give-up.
 *
 * The file is streamed: at most one window of blocks is in memory, in
 * buffers reused for the whole transfer, and each block is read from the
 * file once (a retransmission sends the buffered copy). Datagrams are
 * handled synchronously as the poller delivers them: an ACK is answered
 * with the next DATA within the same call (blocks read with `readSync`,
 * from the page cache in the common case).
 *
 * @module
 */

import { sockaddrIn } from "../../sys/sockaddr.ts";
import type { UdpPoller, UdpSocket } from "./_udp_poller.ts";
import type { Negotiated } from "./negotiate.ts";
import {
  decodeClientPacket,
  encodeError,
  encodeOptionAck,
  ErrorCode,
  Opcode,
  writeDataHeader,
} from "./packet.ts";

/**
 * Bytes read from the file at once: one read per 44 blocks of 1468 bytes
 * instead of one per block (a sync op costs about as much as a datagram).
 */
export const READ_AHEAD_BYTES = 64 * 1024;

/** Retransmission settings. */
export interface RetransmitSettings {
  /** First retransmission timeout in milliseconds (the client's `timeout` option wins). */
  initialMs: number;
  /** Backoff stops doubling at this many milliseconds. */
  maxMs: number;
  /** Give up after this many retransmissions of the same packet(s) without progress. */
  maxRetries: number;
}

/** How a transfer ended. */
export interface TransferResult {
  /**
   * `done`: every block acknowledged; `aborted`: the client sent an error;
   * `timeout`: gave up; `stopped`: the server stopped, or a read failed.
   */
  status: "done" | "aborted" | "timeout" | "stopped";
  /** Data bytes acknowledged by the client. */
  bytes: number;
  /** Retransmissions made. */
  retransmits: number;
  /** The client's error, when it aborted. */
  clientError?: { code: number; message: string };
  /** Whether it ended right after the OACK (a size probe, as EDK2 does). */
  afterOptionAck: boolean;
}

/** What one transfer needs. */
export interface TransferParams {
  /** The client's address. */
  address: string;
  /** The client's port. */
  port: number;
  /** Local address to bind the transfer's socket to. */
  localHost: string;
  /** The poller the transfer's socket joins. */
  poller: UdpPoller;
  /** The file, open; closed by the transfer. */
  file: Deno.FsFile;
  /** Negotiated parameters. */
  negotiated: Negotiated;
  /** Retransmission settings. */
  retransmit: RetransmitSettings;
  /** Ends the transfer early (server shutdown). */
  signal?: AbortSignal;
}

/**
 * Run one read transfer to its end.
 *
 * @param params The client, the file and the parameters.
 * @returns How it ended; never rejects for network trouble (that is a `timeout`).
 * @throws {Error} When the transfer's socket cannot be bound.
 */
export async function runTransfer(
  params: TransferParams,
): Promise<TransferResult> {
  const transfer = new Transfer(params);
  let socket: UdpSocket | undefined;
  try {
    socket = params.poller.open(
      params.localHost,
      0,
      (data, address, port) => transfer.onDatagram(data, address, port),
    );
    return await transfer.run(socket);
  } finally {
    socket?.close();
    params.file.close();
  }
}

class Transfer {
  #socket!: UdpSocket;
  readonly #p: TransferParams;
  readonly #peer: Uint8Array;
  readonly #blockSize: number;
  readonly #window: number;
  readonly #slots: Uint8Array[];
  readonly #lengths: number[];
  #phase: "oack" | "data" | "end" = "data";
  #acked = 0; // blocks acknowledged (absolute count)
  #sent = 0; // highest block sent
  #read = 0; // highest block read into a slot
  #last = Infinity; // the last block, once the file's end is read
  #retries = 0;
  #retransmits = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #deadline = 0;
  // Read-ahead: one readSync per READ_AHEAD_BYTES instead of one per block.
  readonly #ahead: Uint8Array;
  #aheadAt = 0;
  #aheadEnd = 0;
  #eof = false;
  #finish!: (result: TransferResult) => void;

  constructor(params: TransferParams) {
    this.#p = params;
    this.#peer = sockaddrIn(params.address, params.port);
    this.#blockSize = params.negotiated.blockSize;
    this.#window = params.negotiated.windowSize;
    this.#slots = Array.from(
      { length: this.#window },
      () => new Uint8Array(4 + this.#blockSize),
    );
    this.#lengths = new Array(this.#window).fill(0);
    this.#ahead = new Uint8Array(Math.max(READ_AHEAD_BYTES, this.#blockSize));
  }

  run(socket: UdpSocket): Promise<TransferResult> {
    this.#socket = socket;
    const done = new Promise<TransferResult>((resolve) => {
      this.#finish = resolve;
    });
    const onAbort = () => this.#end("stopped");
    this.#p.signal?.addEventListener("abort", onAbort, { once: true });
    if (this.#p.negotiated.ack.size > 0) {
      this.#phase = "oack";
      this.#send(encodeOptionAck(this.#p.negotiated.ack));
      this.#arm();
    } else {
      this.#guarded(() => this.#sendWindow());
    }
    return done.finally(() =>
      this.#p.signal?.removeEventListener("abort", onAbort)
    );
  }

  #send(packet: Uint8Array, to = this.#peer): void {
    this.#socket.send(packet, to);
  }

  /** Run `step`; a failed file read ends the transfer. */
  #guarded(step: () => void): void {
    try {
      step();
    } catch {
      this.#end("stopped");
    }
  }

  onDatagram(msg: Uint8Array, address: string, port: number): void {
    if (this.#phase === "end") return;
    if (address !== this.#p.address || port !== this.#p.port) {
      // RFC 1350: a packet from another TID gets an error; the transfer goes on.
      this.#send(
        encodeError(ErrorCode.UnknownTransferId, "Unknown transfer ID"),
        sockaddrIn(address, port),
      );
      return;
    }
    let packet;
    try {
      packet = decodeClientPacket(msg);
    } catch {
      return; // garbage from the client's port: ignore, retransmission covers it
    }
    if (packet.opcode === Opcode.Error) {
      this.#end("aborted", { code: packet.code, message: packet.message });
      return;
    }
    if (packet.opcode !== Opcode.Ack) return;
    if (this.#phase === "oack") {
      if (packet.block !== 0) return;
      this.#phase = "data";
      this.#guarded(() => this.#sendWindow());
      return;
    }
    // Map the 16-bit block number into the window just sent; older
    // (duplicate) ACKs are ignored, which avoids the Sorcerer's Apprentice bug.
    const behind = (this.#sent - packet.block) & 0xffff;
    const block = this.#sent - behind;
    if (block <= this.#acked || block > this.#sent) return;
    this.#acked = block;
    this.#retries = 0;
    if (this.#acked >= this.#last) {
      this.#end("done");
      return;
    }
    this.#guarded(() => this.#sendWindow());
  }

  /** Send blocks acked+1 .. acked+window, reading the ones not yet read. */
  #sendWindow(): void {
    const want = this.#acked + this.#window;
    while (this.#read < want && this.#read < this.#last) {
      const block = this.#read + 1;
      const slot = this.#slots[block % this.#window];
      const length = this.#readBlock(slot);
      writeDataHeader(slot, block);
      this.#lengths[block % this.#window] = 4 + length;
      this.#read = block;
      if (length < this.#blockSize) this.#last = block;
    }
    if (this.#phase === "end") return;
    this.#sent = Math.min(want, this.#last);
    this.#sendRange(this.#acked + 1, this.#sent);
    this.#arm();
  }

  #sendRange(from: number, to: number): void {
    for (let block = from; block <= to; block++) {
      const i = block % this.#window;
      this.#send(this.#slots[i].subarray(0, this.#lengths[i]));
    }
  }

  /** Copy the next block of the file into `slot` (after its header). */
  #readBlock(slot: Uint8Array): number {
    let filled = 0;
    while (filled < this.#blockSize) {
      if (this.#aheadAt === this.#aheadEnd) {
        if (this.#eof) break;
        const n = this.#p.file.readSync(this.#ahead);
        if (n === null || n === 0) {
          this.#eof = true;
          break;
        }
        this.#aheadAt = 0;
        this.#aheadEnd = n;
      }
      const take = Math.min(
        this.#blockSize - filled,
        this.#aheadEnd - this.#aheadAt,
      );
      slot.set(
        this.#ahead.subarray(this.#aheadAt, this.#aheadAt + take),
        4 + filled,
      );
      this.#aheadAt += take;
      filled += take;
    }
    return filled;
  }

  /**
   * Set the retransmission deadline. One timer serves many deadlines: it
   * is only replaced when it would fire too late, and a timer that fires
   * early re-arms for the rest (setting a timer per DATA packet cost more
   * than the packet itself).
   */
  #arm(): void {
    const r = this.#p.retransmit;
    const base = this.#p.negotiated.timeoutMs ?? r.initialMs;
    const delay = Math.min(base * 2 ** this.#retries, Math.max(r.maxMs, base));
    this.#deadline = performance.now() + delay;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#onTimer(), delay);
    }
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#phase === "end") return;
    const left = this.#deadline - performance.now();
    if (left > 1) {
      this.#timer = setTimeout(() => this.#onTimer(), left);
      return;
    }
    this.#onTimeout();
  }

  #onTimeout(): void {
    if (this.#phase === "end") return;
    if (this.#retries >= this.#p.retransmit.maxRetries) {
      const giveUp = "Timed out waiting for an acknowledgment";
      this.#send(encodeError(ErrorCode.NotDefined, giveUp));
      this.#end("timeout");
      return;
    }
    this.#retries++;
    this.#retransmits++;
    if (this.#phase === "oack") {
      this.#send(encodeOptionAck(this.#p.negotiated.ack));
    } else {
      this.#sendRange(this.#acked + 1, this.#sent);
    }
    this.#arm();
  }

  #end(
    status: TransferResult["status"],
    clientError?: TransferResult["clientError"],
  ): void {
    if (this.#phase === "end") return;
    const afterOptionAck = this.#phase === "oack";
    this.#phase = "end";
    clearTimeout(this.#timer);
    const acked = Math.min(this.#acked, this.#last);
    const bytes = acked === 0
      ? 0
      : acked >= this.#last
      ? (acked - 1) * this.#blockSize + this.#lengths[acked % this.#window] - 4
      : acked * this.#blockSize;
    this.#finish({
      status,
      bytes,
      retransmits: this.#retransmits,
      clientError,
      afterOptionAck,
    });
  }
}
