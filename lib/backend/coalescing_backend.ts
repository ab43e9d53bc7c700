/**
 * A backend wrapper that merges concurrent lookups of one MAC into a single
 * lookup of the wrapped backend.
 *
 * @module
 */

import { onAbort as watch } from "../timer/on_abort.ts";
import type { Backend, LookupOptions } from "./backend.ts";
import { cloneReservation, type Reservation } from "./reservation.ts";

interface Pending {
  promise: Promise<Reservation | undefined>;
  /**
   * Aborts the shared lookup when every waiter gave up; absent when the
   * first caller had no signal (it waits to the end, so nobody can abort).
   */
  controller: AbortController | undefined;
  /** Waiters that have a signal and have not given up yet. */
  waiters: number;
  /** Whether a waiter without a signal joined: then nobody can abort. */
  pinned: boolean;
  /** Whether the original result was handed to a waiter already. */
  handedOut: boolean;
}

/**
 * Concurrent lookups of the same MAC share one in-flight lookup of the
 * wrapped backend, so a client's retransmissions (and a DISCOVER and REQUEST
 * that overlap) cost one request.
 *
 * Each caller's `signal` only cancels that caller's wait: the shared lookup
 * goes on for the others, and is aborted only when every waiter has given
 * up. The first caller's `traceparent` is the one sent, and a caller that
 * joins late waits only for the rest of the lookup in flight (its timeout
 * included). Every caller gets its own copy of the result; failures are
 * shared too and never remembered.
 *
 * @example
 * ```ts
 * import { CoalescingBackend } from "./coalescing_backend.ts";
 * import { MemoryBackend } from "./memory_backend.ts";
 * const inner = new MemoryBackend([{ macAddress: "08:00:27:29:4e:67", ipAddress: "10.0.0.5" }]);
 * const backend = new CoalescingBackend(inner);
 * await Promise.all([backend.lookup("08:00:27:29:4e:67"), backend.lookup("08:00:27:29:4e:67")]);
 * if (inner.lookupCount !== 1) throw new Error();
 * ```
 */
export class CoalescingBackend implements Backend {
  readonly #inner: Backend;
  readonly #pending = new Map<string, Pending>();

  /**
   * Wrap a backend so concurrent lookups of one MAC are merged.
   *
   * @param inner The backend that does the lookups.
   */
  constructor(inner: Backend) {
    this.#inner = inner;
  }

  /** The number of distinct MACs with a lookup in flight. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Look `mac` up, joining a lookup of the same MAC already in flight.
   *
   * @param mac Colon hex (compared case-insensitively).
   * @param options This caller's signal, and the trace context.
   * @returns The reservation, or `undefined` when the MAC is unknown.
   * @throws The wrapped backend's error, or this caller's signal's reason.
   */
  lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    const { signal, traceparent } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const key = mac.toLowerCase();
    let entry = this.#pending.get(key);
    if (entry === undefined) {
      const controller = signal ? new AbortController() : undefined;
      const promise = this.#inner.lookup(mac, {
        signal: controller?.signal,
        traceparent,
      });
      const created: Pending = {
        promise,
        controller,
        waiters: 0,
        pinned: false,
        handedOut: false,
      };
      entry = created;
      this.#pending.set(key, created);
      promise.then(
        () => this.#forget(key, created),
        () => this.#forget(key, created),
      );
    }
    const shared = entry;
    const take = (value: Reservation | undefined) => {
      if (value === undefined) return undefined;
      if (shared.handedOut) return cloneReservation(value);
      shared.handedOut = true; // the first waiter takes the original
      return value;
    };
    if (!signal) {
      shared.pinned = true;
      return shared.promise.then(take);
    }
    shared.waiters++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(signal.reason);
        if (
          --shared.waiters === 0 && !shared.pinned &&
          this.#pending.get(key) === shared
        ) {
          this.#pending.delete(key);
          shared.controller?.abort(signal.reason);
        }
      };
      const unwatch = watch(signal, onAbort);
      shared.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          shared.waiters--;
          unwatch();
          resolve(take(value));
        },
        (err) => {
          if (settled) return;
          settled = true;
          shared.waiters--;
          unwatch();
          reject(err);
        },
      );
    });
  }

  #forget(key: string, entry: Pending): void {
    if (this.#pending.get(key) === entry) this.#pending.delete(key);
  }
}
