/**
 * Helpers of the KV responder tests: polling, and keys and values in the
 * bucket's form.
 *
 * @module
 */
import { macToKvKey } from "../../lib/net/mac.ts";

/** Poll `probe` until it returns a value (10 s at most). */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

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
