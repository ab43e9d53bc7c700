/**
 * MAC address normalisation for reservation keys and lookups.
 *
 * @module
 */

const CANONICAL = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5,19}$/;
const ANY_FORM =
  /^[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\1[0-9a-fA-F]{2}){4,18}$/;

/**
 * Normalise a hardware address to lower-case colon form.
 *
 * Accepts 6 to 20 octets of two hex digits each, separated consistently by
 * `:` or `-`, in any case.
 *
 * @param text The address as written, for example `08-00-27-29-4E-67`.
 * @returns The address as `08:00:27:29:4e:67`, or `undefined` when `text` is
 * not a hardware address.
 *
 * @example
 * ```ts
 * import { normalizeMac } from "./mac.ts";
 * if (normalizeMac("08-00-27-29-4E-67") !== "08:00:27:29:4e:67") throw new Error();
 * ```
 */
export function normalizeMac(text: string): string | undefined {
  if (CANONICAL.test(text)) return text;
  if (!ANY_FORM.test(text)) return undefined;
  return text.toLowerCase().replaceAll("-", ":");
}

/**
 * The key of a MAC address in a NATS key-value bucket: lower-case hex with
 * `-` separators (NATS KV keys cannot hold `:`). {@linkcode normalizeMac}
 * turns a key back into the colon form.
 *
 * @param text The address as written, for example `08:00:27:29:4E:67`.
 * @returns The key, for example `08-00-27-29-4e-67`, or `undefined` when
 * `text` is not a hardware address.
 *
 * @example
 * ```ts
 * import { macToKvKey } from "./mac.ts";
 * if (macToKvKey("08:00:27:29:4E:67") !== "08-00-27-29-4e-67") throw new Error();
 * ```
 */
export function macToKvKey(text: string): string | undefined {
  return normalizeMac(text)?.replaceAll(":", "-");
}
