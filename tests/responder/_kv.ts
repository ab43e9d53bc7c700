/**
 * Helpers of the KV responder tests: keys and values in the bucket's form.
 *
 * @module
 */
import { macToKvKey } from "../../lib/net/mac.ts";

/** The bucket key of `mac`. */
export function key(mac: string): string {
  const k = macToKvKey(mac);
  if (k === undefined) throw new TypeError(`${mac} is not a MAC address`);
  return k;
}

/** The value of a host with only an address. */
export function host(ip: string): string {
  return JSON.stringify({ ipAddress: ip });
}
