/**
 * TFTP packets (RFC 1350) with option extension (RFC 2347): decode what
 * clients send (RRQ, WRQ, ACK, ERROR) and encode what the server sends
 * (DATA header, OACK, ERROR). Pure: no I/O.
 *
 * @module
 */

import { encodeUtf8 } from "../../bytes/utf8.ts";

/** TFTP opcodes (RFC 1350 section 5, RFC 2347). */
export const Opcode = {
  /** Read request (RFC 1350). */
  ReadRequest: 1,
  /** Write request (RFC 1350). */
  WriteRequest: 2,
  /** Data (RFC 1350). */
  Data: 3,
  /** Acknowledgment (RFC 1350). */
  Ack: 4,
  /** Error (RFC 1350). */
  Error: 5,
  /** Option acknowledgment (RFC 2347). */
  OptionAck: 6,
} as const;

/** A TFTP opcode. */
export type Opcode = typeof Opcode[keyof typeof Opcode];

/** TFTP error codes (RFC 1350 appendix, RFC 2347). */
export const ErrorCode = {
  /** Not defined, see the message (RFC 1350). */
  NotDefined: 0,
  /** File not found (RFC 1350). */
  FileNotFound: 1,
  /** Access violation (RFC 1350). */
  AccessViolation: 2,
  /** Illegal TFTP operation (RFC 1350). */
  IllegalOperation: 4,
  /** Unknown transfer ID (RFC 1350). */
  UnknownTransferId: 5,
  /** Option negotiation refused; clients also use it to end a size probe (RFC 2347). */
  OptionRefused: 8,
} as const;

/** A TFTP error code. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** A read or write request. */
export interface TftpRequest {
  /** `1` read, `2` write. */
  opcode: 1 | 2;
  /** The file name as sent. */
  filename: string;
  /** Transfer mode, lower-cased (`octet`, `netascii`, `mail`). */
  mode: string;
  /** Options (RFC 2347), names lower-cased, in the order sent. */
  options: Map<string, string>;
}

/** A packet a client sends during a transfer. */
export type TftpClientPacket =
  | TftpRequest
  | { opcode: 4; block: number }
  | { opcode: 5; code: number; message: string };

/** A packet that does not parse, with the reason. */
export class TftpDecodeError extends Error {
  /**
   * @param message What is wrong with the packet.
   */
  constructor(message: string) {
    super(message);
    this.name = "TftpDecodeError";
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

function strings(data: Uint8Array, from: number): string[] {
  const out: string[] = [];
  let start = from;
  for (let i = from; i < data.length; i++) {
    if (data[i] === 0) {
      out.push(decoder.decode(data.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start !== data.length) {
    throw new TftpDecodeError(
      "Cannot decode TFTP packet: a string is not NUL-terminated",
    );
  }
  return out;
}

/**
 * Decode a packet a client sent.
 *
 * @param data The UDP payload.
 * @returns The packet.
 * @throws {TftpDecodeError} When it is too short, has an opcode a client
 * does not send, or a malformed request.
 * @example
 * ```ts
 * import { decodeClientPacket } from "./packet.ts";
 * const rrq = new TextEncoder().encode("\0\x01ipxe.efi\0octet\0tsize\x000\0");
 * const p = decodeClientPacket(rrq);
 * if (p.opcode !== 1 || p.options.get("tsize") !== "0") throw new Error();
 * ```
 */
export function decodeClientPacket(data: Uint8Array): TftpClientPacket {
  if (data.length < 4) {
    throw new TftpDecodeError(
      `Cannot decode TFTP packet: ${data.length} bytes is too short`,
    );
  }
  const opcode = data[0] << 8 | data[1];
  switch (opcode) {
    case Opcode.ReadRequest:
    case Opcode.WriteRequest: {
      const parts = strings(data, 2);
      if (parts.length < 2 || parts.length % 2 !== 0) {
        throw new TftpDecodeError(
          "Cannot decode TFTP request: want a file name, a mode and option name/value pairs",
        );
      }
      const options = new Map<string, string>();
      for (let i = 2; i < parts.length; i += 2) {
        options.set(parts[i].toLowerCase(), parts[i + 1]);
      }
      return {
        opcode,
        filename: parts[0],
        mode: parts[1].toLowerCase(),
        options,
      };
    }
    case Opcode.Ack:
      return { opcode, block: data[2] << 8 | data[3] };
    case Opcode.Error: {
      const end = data.indexOf(0, 4);
      const message = decoder.decode(
        data.subarray(4, end === -1 ? data.length : end),
      );
      return { opcode, code: data[2] << 8 | data[3], message };
    }
    default:
      throw new TftpDecodeError(
        `Cannot decode TFTP packet: opcode ${opcode} is not one a client sends`,
      );
  }
}

/**
 * Encode an ERROR packet.
 *
 * @param code The error code.
 * @param message The message (ASCII, for the client's user).
 * @returns The packet.
 */
export function encodeError(code: number, message: string): Uint8Array {
  const text = encodeUtf8(message);
  const out = new Uint8Array(5 + text.length);
  out[1] = Opcode.Error;
  out[2] = code >> 8;
  out[3] = code & 0xff;
  out.set(text, 4);
  return out;
}

/**
 * Encode an OACK packet.
 *
 * @param options The accepted options and their values, in order.
 * @returns The packet.
 */
export function encodeOptionAck(
  options: ReadonlyMap<string, string>,
): Uint8Array {
  const parts: number[] = [0, Opcode.OptionAck];
  for (const [name, value] of options) {
    parts.push(...encodeUtf8(name), 0, ...encodeUtf8(value), 0);
  }
  return new Uint8Array(parts);
}

/**
 * Write a DATA header (opcode 3 and the 16-bit block number) at the start
 * of `packet`; the data follows at offset 4.
 *
 * @param packet The packet buffer.
 * @param block The block number (taken modulo 65536).
 */
export function writeDataHeader(packet: Uint8Array, block: number): void {
  packet[0] = 0;
  packet[1] = Opcode.Data;
  packet[2] = (block >> 8) & 0xff;
  packet[3] = block & 0xff;
}
