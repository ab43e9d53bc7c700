/**
 * W3C trace context (traceparent) for one DHCP transaction: the text form
 * sent with the backend lookup, and the 26-byte binary form tinkerbell/dhcp
 * puts in option 43 sub-option 69.
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { HEX_BYTES } from "../bytes/hex.ts";
import { newTraceIds } from "./traceparent.ts";

/** A trace context: 16-byte trace id, 8-byte span id, flags. */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** Trace flags; 1 = sampled. */
  flags: number;
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
 * import { newTraceContext, traceparentBytes } from "./trace_context.ts";
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
