/**
 * W3C trace context (traceparent) for one DHCP transaction: the text form
 * sent with the backend lookup, and the 26-byte binary form tinkerbell/dhcp
 * puts in option 43 sub-option 69.
 *
 * @module
 */

/** A trace context: 16-byte trace id, 8-byte span id, flags. */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** Trace flags; 1 = sampled. */
  flags: number;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A new random trace context, sampled.
 *
 * @returns The context.
 */
export function newTraceContext(): TraceContext {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return {
    traceId: hex(bytes.subarray(0, 16)),
    spanId: hex(bytes.subarray(16)),
    flags: 1,
  };
}

/**
 * The W3C `traceparent` header value, version 00.
 *
 * @param context The trace context.
 * @returns For example `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
 */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${
    context.flags.toString(16).padStart(2, "0")
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
  const out = new Uint8Array(26);
  for (let i = 0; i < 16; i++) {
    out[1 + i] = parseInt(context.traceId.slice(i * 2, i * 2 + 2), 16);
  }
  for (let i = 0; i < 8; i++) {
    out[17 + i] = parseInt(context.spanId.slice(i * 2, i * 2 + 2), 16);
  }
  out[25] = context.flags;
  return out;
}
