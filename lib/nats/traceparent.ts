/**
 * W3C Trace Context `traceparent` values for lookups.
 *
 * @module
 */

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out;
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
  let trace = randomHex(16);
  while (/^0+$/.test(trace)) trace = randomHex(16);
  let span = randomHex(8);
  while (/^0+$/.test(span)) span = randomHex(8);
  return `00-${trace}-${span}-01`;
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
