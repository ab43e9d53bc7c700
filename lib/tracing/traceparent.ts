/**
 * W3C Trace Context `traceparent` values for lookups.
 *
 * @module
 */

import { HEX_BYTES } from "../bytes/hex.ts";

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
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
 * Whether `value` has the `traceparent` shape (W3C Trace Context, level 1).
 *
 * @example
 * ```ts
 * import { isTraceparent } from "./traceparent.ts";
 * if (isTraceparent("garbage")) throw new Error();
 * ```
 */
export function isTraceparent(value: string): boolean {
  return TRACEPARENT.test(value) && !value.startsWith("ff-") &&
    !/^..-0{32}-/.test(value) && !/-0{16}-..$/.test(value);
}
