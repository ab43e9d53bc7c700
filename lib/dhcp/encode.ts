/**
 * The DHCPv4 message encoder: header, options in order with Relay Agent
 * Information (82) last, RFC 3396 splitting of long options, option
 * overload into `file` then `sname` when the message exceeds the maximum
 * size, and padding to the 300-byte BOOTP minimum.
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { writeHeader } from "./_header.ts";
import { OptionsDoNotFitError } from "./errors.ts";
import type { DhcpMessage } from "./message_fields.ts";
import { packetSourceOf } from "./options.ts";

/** Options of {@linkcode encodeMessage}. */
export interface EncodeOptions {
  /**
   * Largest message to produce, in bytes (the UDP payload). Values under
   * 548 count as 548: every client accepts a 576-byte IP datagram (RFC 2131
   * §2), which leaves 548 bytes once the IP and UDP headers are counted.
   * @default {548}
   */
  maxSize?: number;
}

/** The BOOTP minimum message size (RFC 1542 §2.1). */
const BOOTP_MIN = 300;
/** A 576-byte IP datagram less 20 bytes of IP and 8 of UDP header. */
const MIN_MAX_SIZE = 548;
/** Option overload bits (RFC 2132 §9.3). */
const FILE = 1;
const SNAME = 2;

/** Bytes an option takes on the wire, split in 255-byte fragments. */
function wireSize(value: Uint8Array): number {
  return value.length === 0
    ? 2
    : value.length + 2 * Math.ceil(value.length / 255);
}

/** Writes one option, split in 255-byte fragments; returns the new offset. */
function writeOption(
  out: Uint8Array,
  pos: number,
  code: number,
  value: Uint8Array,
): number {
  if (value.length <= 255) {
    // The common case, without a subarray view per option.
    out[pos] = code;
    out[pos + 1] = value.length;
    out.set(value, pos + 2);
    return pos + 2 + value.length;
  }
  let off = 0;
  do {
    const n = Math.min(255, value.length - off);
    out[pos] = code;
    out[pos + 1] = n;
    out.set(value.subarray(off, off + n), pos + 2);
    pos += 2 + n;
    off += n;
  } while (off < value.length);
  return pos;
}

/**
 * Encodes a DHCPv4 message.
 *
 * A message from {@linkcode decodeMessage} whose options were not changed
 * re-encodes to the same bytes (trailing padding aside). Otherwise options
 * are written in order, Relay Agent Information (82) last, long ones split
 * (RFC 3396). When they do not fit `maxSize`, options move into `file`
 * then `sname` (when those are empty) and option 52 says so. The result
 * is at least 300 bytes.
 *
 * @param message The message.
 * @param options See {@linkcode EncodeOptions}.
 * @returns The UDP payload.
 * @throws {TypeError} For an address that is not a dotted quad or colon hex.
 * @throws {RangeError} For a header value out of range or a name too long
 * for its field.
 * @throws {OptionsDoNotFitError} (a `RangeError`) For options that do not
 * fit even with overload.
 * @example
 * ```ts
 * import { decodeMessage, encodeMessage } from "./message.ts";
 * import { DhcpOptions } from "./options.ts";
 * const bytes = encodeMessage({
 *   op: 1, hardwareType: 1, hardwareLength: 6, hops: 0, transactionId: 1,
 *   seconds: 0, flags: 0, clientIp: "0.0.0.0", yourIp: "0.0.0.0",
 *   serverIp: "0.0.0.0", gatewayIp: "0.0.0.0",
 *   clientHardwareAddress: "52:54:00:12:34:56", serverName: "",
 *   bootFileName: "", options: new DhcpOptions([[53, Uint8Array.of(1)]]),
 * });
 * decodeMessage(bytes).transactionId; // 1
 * ```
 */
export function encodeMessage(
  message: DhcpMessage,
  options: EncodeOptions = {},
): Uint8Array {
  const maxSize = Math.max(
    MIN_MAX_SIZE,
    Math.min(options.maxSize ?? MIN_MAX_SIZE, 0xffff),
  );
  const origin = packetSourceOf(message.options);
  const source = origin?.source;
  if (
    source && origin.pristine && source.optionsEnd <= maxSize &&
    (!(source.overload & 1) || message.bootFileName === "") &&
    (!(source.overload & 2) || message.serverName === "")
  ) {
    const { packet, optionsEnd, overload } = source;
    const out = allocBytes(Math.max(BOOTP_MIN, optionsEnd));
    writeHeader(out, message, packet, 0);
    out.set(packet.subarray(240, optionsEnd), 240);
    if (overload & 1) out.set(packet.subarray(108, 236), 108);
    if (overload & 2) out.set(packet.subarray(44, 108), 44);
    return out;
  }
  const store = message.options;
  const codes: number[] = [];
  const values: Uint8Array[] = [];
  let relay: Uint8Array | undefined;
  let size = 240 + 1;
  for (const code of store.codes()) {
    if (code === 52) continue;
    const value = store.get(code)!;
    if (code === 82) {
      relay = value;
    } else {
      codes.push(code);
      values.push(value);
    }
    size += wireSize(value);
  }
  if (size <= maxSize) {
    const out = allocBytes(Math.max(BOOTP_MIN, size));
    writeHeader(out, message, source?.packet, source?.overload ?? 0);
    let pos = 240;
    for (let i = 0; i < codes.length; i++) {
      pos = writeOption(out, pos, codes[i], values[i]);
    }
    if (relay) pos = writeOption(out, pos, 82, relay);
    out[pos] = 255;
    return out;
  }
  return encodeOverloaded(message, {
    codes,
    values,
    relay,
    maxSize,
    packet: source?.packet,
    rawOverload: source?.overload ?? 0,
  });
}

/** What {@linkcode encodeOverloaded} lays out. */
interface Plan {
  /** Option codes in order, without 52 and 82. */
  codes: number[];
  /** Their values. */
  values: Uint8Array[];
  /** Option 82, written last in the options field. */
  relay: Uint8Array | undefined;
  /** Largest message size. */
  maxSize: number;
  /** The packet the message was decoded from, if any. */
  packet: Uint8Array | undefined;
  /** Overload bits of that packet. */
  rawOverload: number;
}

/** Lays options out over the options field, `file` and `sname`. */
function encodeOverloaded(message: DhcpMessage, plan: Plan): Uint8Array {
  const { codes, values, relay, maxSize, packet, rawOverload } = plan;
  const out = allocBytes(maxSize);
  writeHeader(out, message, packet, rawOverload);
  const relaySize = relay ? wireSize(relay) : 0;
  if (240 + 3 + relaySize + 1 > maxSize) {
    throw new OptionsDoNotFitError(
      `option 82 (${relaySize} bytes) does not fit in ${maxSize} bytes`,
      maxSize,
    );
  }
  // [start, limit, overload bit]: the options field keeps room for 52, 82
  // and End; file and sname keep one byte for their End.
  const areas: [number, number, number][] = [
    [240, maxSize - 3 - relaySize - 1, 0],
  ];
  if (message.bootFileName === "") areas.push([108, 235, FILE]);
  if (message.serverName === "") areas.push([44, 107, SNAME]);
  const ends = areas.map(([start]) => start);
  let area = 0;
  let pos = 240;
  let limit = areas[0][1];
  let overload = 0;
  const enter = (next: number) => {
    if (next >= areas.length) {
      throw new OptionsDoNotFitError(
        `the options do not fit in ${maxSize} bytes, even using file and sname`,
        maxSize,
      );
    }
    ends[area] = pos;
    area = next;
    [pos, limit] = areas[area];
    out.fill(0, pos, limit + 1);
    overload |= areas[area][2];
  };
  if (limit < 240) enter(1);
  for (let i = 0; i < codes.length; i++) {
    const value = values[i];
    const length = value.length;
    if (length <= 255 && length + 2 > limit - pos) {
      // Prefer moving a short option whole to splitting it.
      let next = area + 1;
      while (
        next < areas.length && areas[next][1] - areas[next][0] < length + 2
      ) {
        next++;
      }
      if (next < areas.length) enter(next);
    }
    let off = 0;
    for (;;) {
      const room = limit - pos - 2;
      if (room < 1 && !(length === 0 && room === 0)) {
        enter(area + 1);
        continue;
      }
      const n = Math.min(255, length - off, room);
      out[pos] = codes[i];
      out[pos + 1] = n;
      out.set(value.subarray(off, off + n), pos + 2);
      pos += 2 + n;
      off += n;
      if (off >= length) break;
    }
  }
  ends[area] = pos;
  for (let a = 1; a < areas.length; a++) {
    if (overload & areas[a][2]) out[ends[a]] = 255;
  }
  let end = ends[0];
  if (overload !== 0) {
    out[end] = 52;
    out[end + 1] = 1;
    out[end + 2] = overload;
    end += 3;
  }
  if (relay) end = writeOption(out, end, 82, relay);
  out[end++] = 255;
  return out.subarray(0, Math.max(BOOTP_MIN, end));
}
