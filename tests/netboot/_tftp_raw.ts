/**
 * A raw TFTP client for the edges no real client produces on demand:
 * crafted requests, a client that never acknowledges, a size probe that
 * ends with error 8 as EDK2 does.
 *
 * @module
 */
import dgram from "node:dgram";

/** One datagram received. */
export interface RawDatagram {
  /** Payload. */
  data: Uint8Array;
  /** Sender port (the server's transfer ID). */
  port: number;
}

/** A UDP socket on loopback with a receive queue. */
export interface RawTftp extends AsyncDisposable {
  /** Send a payload to 127.0.0.1:`port`. */
  send(data: Uint8Array, port: number): void;
  /** The next datagram, or `undefined` after `ms` without one. */
  next(ms?: number): Promise<RawDatagram | undefined>;
}

/** Open a raw client socket. */
export async function openRawTftp(): Promise<RawTftp> {
  const socket = dgram.createSocket("udp4");
  const queue: RawDatagram[] = [];
  let wake: (() => void) | undefined;
  socket.on("message", (msg: Uint8Array, from: dgram.RemoteInfo) => {
    queue.push({ data: new Uint8Array(msg), port: from.port });
    wake?.();
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    send: (data, port) => socket.send(data, port, "127.0.0.1"),
    async next(ms = 5000) {
      if (queue.length === 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, ms);
        });
        clearTimeout(timer);
        wake = undefined;
      }
      return queue.shift();
    },
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => socket.close(() => r())),
  };
}

/** A request packet: opcode, file name, mode, then option pairs. */
export function request(
  opcode: number,
  filename: string,
  mode = "octet",
  options: Record<string, string> = {},
): Uint8Array {
  const parts = [filename, mode, ...Object.entries(options).flat()];
  const text = new TextEncoder().encode(parts.map((p) => `${p}\0`).join(""));
  return new Uint8Array([0, opcode, ...text]);
}

/** An ACK packet. */
export function ack(block: number): Uint8Array {
  return new Uint8Array([0, 4, block >> 8, block & 0xff]);
}

/** An ERROR packet. */
export function error(code: number, message: string): Uint8Array {
  return new Uint8Array([
    0,
    5,
    0,
    code,
    ...new TextEncoder().encode(message),
    0,
  ]);
}

/** Opcode and, for ERROR, code and message; for DATA/ACK, the block. */
export function describe(
  data: Uint8Array,
): { opcode: number; code?: number; message?: string; block?: number } {
  const opcode = data[1];
  if (opcode === 5) {
    return {
      opcode,
      code: data[2] << 8 | data[3],
      message: new TextDecoder().decode(data.subarray(4, data.length - 1)),
    };
  }
  if (opcode === 3 || opcode === 4) {
    return { opcode, block: data[2] << 8 | data[3] };
  }
  return { opcode };
}

/** The options of an OACK packet. */
export function oackOptions(data: Uint8Array): Record<string, string> {
  const parts = new TextDecoder().decode(data.subarray(2)).split("\0");
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]] = parts[i + 1];
  return out;
}

/** Wait (up to 5 s) until the server has no transfer running. */
export async function waitForIdle(
  server: { readonly activeTransfers: number },
): Promise<void> {
  for (let i = 0; i < 250 && server.activeTransfers > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
