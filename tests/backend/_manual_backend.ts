import type { Backend, LookupOptions } from "../../lib/backend/backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

/**
 * A backend whose lookups stay pending until the test settles them: the
 * edge cases of in-flight lookups (abort, failure) need that control.
 */
export class ManualBackend implements Backend {
  calls: { mac: string; options: LookupOptions }[] = [];
  #pending: {
    resolve: (r: Reservation | undefined) => void;
    reject: (e: unknown) => void;
  }[] = [];
  lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    this.calls.push({ mac, options });
    return new Promise((resolve, reject) =>
      this.#pending.push({ resolve, reject })
    );
  }
  resolveAll(value: Reservation | undefined) {
    for (const p of this.#pending.splice(0)) p.resolve(value);
  }
  rejectAll(err: unknown) {
    for (const p of this.#pending.splice(0)) p.reject(err);
  }
}
