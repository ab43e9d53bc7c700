/**
 * A backend that keeps reservations in memory: for tests of the DHCP server
 * and for embedding without NATS.
 *
 * @module
 */
import type { Backend, LookupOptions } from "./backend.ts";
import { cloneReservation, type Reservation } from "./reservation.ts";

/**
 * Reservations in a `Map` keyed by lower-case colon MAC.
 *
 * Lookups return a copy, so callers cannot change the stored reservation.
 *
 * @example
 * ```ts
 * import { MemoryBackend } from "./memory_backend.ts";
 * const backend = new MemoryBackend([
 *   { macAddress: "08:00:27:29:4E:67", ipAddress: "192.168.2.153" },
 * ]);
 * const r = await backend.lookup("08:00:27:29:4e:67");
 * if (r?.ipAddress !== "192.168.2.153") throw new Error();
 * if (await backend.lookup("00:00:00:00:00:01") !== undefined) throw new Error();
 * ```
 */
export class MemoryBackend implements Backend {
  readonly #reservations = new Map<string, Reservation>();
  #lookups = 0;

  /**
   * Create the backend.
   *
   * @param reservations Initial reservations.
   */
  constructor(reservations: Iterable<Reservation> = []) {
    for (const r of reservations) this.set(r);
  }

  /** How many lookups were made so far (for tests). */
  get lookupCount(): number {
    return this.#lookups;
  }

  /** How many reservations are stored. */
  get size(): number {
    return this.#reservations.size;
  }

  /**
   * Add or replace the reservation of `reservation.macAddress`.
   *
   * @returns This backend, for chaining.
   */
  set(reservation: Reservation): this {
    const mac = reservation.macAddress.toLowerCase();
    this.#reservations.set(mac, {
      ...cloneReservation(reservation),
      macAddress: mac,
    });
    return this;
  }

  /**
   * Remove the reservation of `mac`.
   *
   * @returns Whether there was one.
   */
  delete(mac: string): boolean {
    return this.#reservations.delete(mac.toLowerCase());
  }

  /**
   * Look `mac` up.
   *
   * @param mac Colon hex, any case.
   * @param options An already aborted signal rejects with its reason.
   * @returns A copy of the reservation, or `undefined` when unknown.
   */
  lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    this.#lookups++;
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const r = this.#reservations.get(mac.toLowerCase());
    return Promise.resolve(r === undefined ? undefined : cloneReservation(r));
  }
}
