/**
 * W3C trace context, in one place: a DHCP transaction's ids, its text form
 * (the `traceparent` sent with each lookup, W3C Trace Context level 1), and
 * the 26-byte binary form tinkerbell/dhcp puts in option 43 sub-option 69.
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { decodeHex, HEX_BYTES } from "../bytes/hex.ts";

/** A trace context: 16-byte trace id, 8-byte span id, flags. */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** Trace flags; 1 = sampled. */
  flags: number;
}

const TRACEPARENT =
  /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// Random bytes are drawn 64 trace contexts at a time: one call into the
// runtime's RNG per 64 lookups instead of one per lookup.
const POOL = 64;
const random = new Uint8Array(24 * POOL);
let used = POOL;

function hex(from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += HEX_BYTES[random[i]];
  return out;
}

/**
 * Fresh random trace and span IDs (lower-case hex, never all zero), drawn
 * from a pool of random bytes.
 *
 * @example
 * ```ts
 * import { newTraceIds } from "./traceparent.ts";
 * const { traceId, spanId } = newTraceIds();
 * if (traceId.length !== 32 || spanId.length !== 16) throw new Error();
 * ```
 */
export function newTraceIds(): { traceId: string; spanId: string } {
  if (used === POOL) {
    crypto.getRandomValues(random);
    used = 0;
  }
  const at = 24 * used++;
  random[at] |= 1; // never the all-zero (invalid) trace ID
  random[at + 16] |= 1; // never the all-zero (invalid) span ID
  return { traceId: hex(at, at + 16), spanId: hex(at + 16, at + 24) };
}

/**
 * A fresh sampled `traceparent` (version 00, random trace and span IDs).
 *
 * @example
 * ```ts
 * import { isTraceparent, newTraceparent } from "./traceparent.ts";
 * if (!isTraceparent(newTraceparent())) throw new Error();
 * ```
 */
export function newTraceparent(): string {
  const { traceId, spanId } = newTraceIds();
  return `00-${traceId}-${spanId}-01`;
}

/**
 * Read a `traceparent` value (W3C Trace Context, level 1): any version but
 * `ff`, trace and span ids not all zero.
 *
 * @param value The header value.
 * @returns The trace context, or `undefined` when `value` is not one.
 * @example
 * ```ts
 * import { parseTraceparent } from "./traceparent.ts";
 * const context = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * if (context?.flags !== 1) throw new Error();
 * ```
 */
export function parseTraceparent(value: string): TraceContext | undefined {
  const match = TRACEPARENT.exec(value);
  if (
    match === null || match[1] === "ff" || /^0+$/.test(match[2]) ||
    /^0+$/.test(match[3])
  ) {
    return undefined;
  }
  return {
    traceId: match[2],
    spanId: match[3],
    flags: decodeHex(match[4])[0],
  };
}

/**
 * Whether `value` has the `traceparent` shape (W3C Trace Context, level 1).
 *
 * @example
 * ```ts
 * import { isTraceparent } from "./traceparent.ts";
 * if (isTraceparent("garbage")) throw new Error();
 * ```
 */
export function isTraceparent(value: string): boolean {
  return parseTraceparent(value) !== undefined;
}

/** Hex digit value by char code; -1 for anything else. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE["0123456789abcdef".charCodeAt(i)] = i;
  NIBBLE["0123456789ABCDEF".charCodeAt(i)] = i;
}
/**
 * A new random trace context, sampled.
 *
 * @returns The context.
 */
export function newTraceContext(): TraceContext {
  return { ...newTraceIds(), flags: 1 };
}

/**
 * The W3C `traceparent` header value, version 00.
 *
 * @param context The trace context.
 * @returns For example `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
 */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${
    HEX_BYTES[context.flags & 0xff]
  }`;
}

/**
 * The binary traceparent of tinkerbell/dhcp's option 43 sub-option 69:
 * version byte 0, 16 bytes trace id, 8 bytes span id, 1 byte flags.
 *
 * @param context The trace context.
 * @returns 26 bytes.
 * @example
 * ```ts
 * import { newTraceContext, traceparentBytes } from "./traceparent.ts";
 * if (traceparentBytes(newTraceContext()).length !== 26) throw new Error();
 * ```
 */
export function traceparentBytes(context: TraceContext): Uint8Array {
  const out = allocBytes(26);
  writeHex(out, 1, context.traceId, 16);
  writeHex(out, 17, context.spanId, 8);
  out[25] = context.flags;
  return out;
}

function nibble(code: number): number {
  return code < 128 ? NIBBLE[code] : -1;
}

function writeHex(out: Uint8Array, at: number, text: string, n: number) {
  for (let i = 0; i < n; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    // Like parseInt on a malformed pair: a non-hex digit gives 0 (NaN -> 0).
    out[at + i] = hi < 0 ? 0 : lo < 0 ? hi : (hi << 4) | lo;
  }
}
