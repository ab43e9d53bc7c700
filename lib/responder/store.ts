/**
 * An in-memory reservation store: O(1) lookup by MAC, replaced as a whole.
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import { normalizeMac } from "../net/mac.ts";

/**
 * Reservations by MAC address. {@linkcode ReservationStore.replace} swaps the
 * whole table in one assignment, so every lookup is answered wholly from the
 * old data or wholly from the new, never a mix.
 *
 * @example
 * ```ts
 * import { ReservationStore } from "./store.ts";
 * const store = new ReservationStore();
 * store.replace(new Map([["08:00:27:29:4e:67", { macAddress: "08:00:27:29:4e:67", ipAddress: "192.168.2.10" }]]));
 * if (store.lookup("08-00-27-29-4E-67")?.ipAddress !== "192.168.2.10") throw new Error();
 * ```
 */
export class ReservationStore {
  #table: ReadonlyMap<string, Reservation>;
  /** `#table` once {@linkcode ReservationStore.set} copied it to change it. */
  #owned: Map<string, Reservation> | undefined;
  #generation = 0;

  /**
   * Create a store.
   *
   * @param initial The first table (empty by default). Keys must be
   * lower-case colon MACs, as {@linkcode parseReservations} returns them.
   */
  constructor(initial: ReadonlyMap<string, Reservation> = new Map()) {
    this.#table = initial;
  }

  /**
   * Look a MAC up.
   *
   * @param mac Any case, `:` or `-` separated.
   * @returns The reservation, or `undefined` when the MAC is unknown or is
   * not a MAC address.
   */
  lookup(mac: string): Reservation | undefined {
    const table = this.#table;
    const direct = table.get(mac);
    if (direct !== undefined) return direct;
    const normal = normalizeMac(mac);
    return normal === undefined || normal === mac
      ? undefined
      : table.get(normal);
  }

  /**
   * Replace every reservation at once.
   *
   * @param table The new table, keyed by lower-case colon MAC. The store
   * keeps the map; do not change it afterwards.
   */
  replace(table: ReadonlyMap<string, Reservation>): void {
    this.#table = table;
    this.#owned = undefined;
    this.#generation++;
  }

  /**
   * Add or change one reservation; the others stay as they are. A lookup is
   * answered wholly from the old or the new value of that MAC.
   *
   * @param mac Lower-case colon MAC, as {@linkcode normalizeMac} returns it.
   * @param reservation Its reservation; the store keeps the object.
   */
  set(mac: string, reservation: Reservation): void {
    this.#writable().set(mac, reservation);
  }

  /**
   * Remove one reservation.
   *
   * @param mac Lower-case colon MAC.
   * @returns Whether the MAC had one.
   */
  delete(mac: string): boolean {
    return this.#table.has(mac) && this.#writable().delete(mac);
  }

  /** The table as a map of our own, copied once from a replaced one. */
  #writable(): Map<string, Reservation> {
    if (this.#owned === undefined) {
      this.#owned = new Map(this.#table);
      this.#table = this.#owned;
    }
    return this.#owned;
  }

  /** How many reservations the store holds. */
  get size(): number {
    return this.#table.size;
  }

  /** How many times the table was replaced (0 for the initial one). */
  get generation(): number {
    return this.#generation;
  }
}
