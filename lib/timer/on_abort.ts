/**
 * Cheap abort callbacks: many waiters on one `AbortSignal` share a single
 * event listener.
 *
 * In Deno, `addEventListener` + `removeEventListener` on a signal cost
 * several microseconds and about a kilobyte of garbage, and removal scans
 * every listener; the lookup path did that twice per lookup, with hundreds
 * of lookups sharing a signal. Here each signal gets one listener, and
 * subscribing or unsubscribing is a `Set` insert or delete.
 *
 * @module
 */

const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Call `callback` once when `signal` aborts (not at all when it never
 * does). The signal must not be aborted already.
 *
 * @param signal The signal to watch.
 * @param callback Runs on abort; read `signal.reason` for why.
 * @returns Unsubscribes: after it, `callback` is not called.
 * @example
 * ```ts
 * import { onAbort } from "./on_abort.ts";
 * const controller = new AbortController();
 * let calls = 0;
 * const stop = onAbort(controller.signal, () => calls++);
 * stop();
 * controller.abort();
 * if (calls !== 0) throw new Error();
 * ```
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = watchers.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    callbacks = set;
    watchers.set(signal, set);
    signal.addEventListener("abort", () => {
      watchers.delete(signal);
      for (const f of [...set]) f();
      set.clear();
    }, { once: true });
  }
  const own = callbacks;
  own.add(callback);
  return () => {
    own.delete(callback);
  };
}
