/**
 * Cheap abort callbacks: many waiters on one `AbortSignal` share a single
 * event listener.
 *
 * In Deno, `addEventListener` + `removeEventListener` on a signal cost
 * several microseconds and about a kilobyte of garbage, and removal scans
 * every listener; the lookup path did that twice per lookup, with hundreds
 * of lookups sharing a signal. Here each signal gets one listener while
 * anyone watches it, and subscribing or unsubscribing is a `Set` insert or
 * delete.
 *
 * The listener goes when the last watcher does: a signal made by
 * `AbortSignal.any` stays alive as long as its sources do while it has an
 * abort listener (as the DOM standard says), so a listener left on one per
 * lookup window held every window's signal, and the lookup it last served,
 * for as long as the NATS connection lived (about 0.45 MB a second at
 * 4,000 DORA/s).
 *
 * @module
 */

/** The one listener of a signal and the callbacks it runs. */
class Watch {
  readonly signal: AbortSignal;
  readonly callbacks = new Set<() => void>();

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  /** The abort listener (an object listener: no closure to keep). */
  handleEvent(): void {
    watchers.delete(this.signal);
    for (const f of [...this.callbacks]) f();
    this.callbacks.clear();
  }

  remove(callback: () => void): void {
    if (!this.callbacks.delete(callback) || this.callbacks.size > 0) return;
    if (watchers.get(this.signal) === this) watchers.delete(this.signal);
    this.signal.removeEventListener("abort", this);
  }
}

const watchers = new WeakMap<AbortSignal, Watch>();

/**
 * Call `callback` once when `signal` aborts (not at all when it never
 * does). The signal must not be aborted already.
 *
 * @param signal The signal to watch.
 * @param callback Runs on abort; read `signal.reason` for why.
 * @returns Unsubscribes: after it, `callback` is not called, and the
 *   signal keeps no listener of this module once nobody watches it.
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
  let watch = watchers.get(signal);
  if (watch === undefined) {
    watch = new Watch(signal);
    watchers.set(signal, watch);
    signal.addEventListener("abort", watch, { once: true });
  }
  watch.callbacks.add(callback);
  const own = watch;
  return () => own.remove(callback);
}
