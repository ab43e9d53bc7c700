/**
 * The lookup interface the DHCP server asks for reservations.
 *
 * @module
 */
import type { Reservation } from "./reservation.ts";

/** Options of one lookup. */
export interface LookupOptions {
  /** Cancels the lookup; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** W3C trace context of the DHCP transaction, sent along with the lookup. */
  traceparent?: string;
}

/**
 * Something that looks a MAC address up.
 *
 * `lookup` resolves to the reservation, or to `undefined` when the MAC is not
 * known ("not found"), and rejects on any other failure (timeout, no
 * responders, a malformed reply, ...).
 */
export interface Backend {
  /**
   * Look one MAC address up.
   *
   * @param mac Lower-case colon hex, for example `08:00:27:29:4e:67`.
   * @param options Signal and trace context.
   * @returns The reservation, or `undefined` when the MAC is unknown.
   */
  lookup(
    mac: string,
    options?: LookupOptions,
  ): Promise<Reservation | undefined>;
}
