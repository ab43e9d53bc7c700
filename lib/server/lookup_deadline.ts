/**
 * Deadlines for backend lookups without a timer, an `AbortSignal.any` and a
 * `Promise.race` per lookup: every lookup of one handler has the same
 * timeout, so deadlines come in order and one timer, armed for the oldest
 * lookup still waiting, serves them all.
 *
 * Lookups started within the same few milliseconds also share one
 * `AbortController` (a fresh one costs about a microsecond and garbage in
 * Deno, per lookup): each lookup's promise still rejects at its own
 * deadline, and the shared signal aborts when the last lookup of its window
 * still waiting times out, at most {@linkcode WINDOW_MS} after the first.
 *
 * @module
 */
import { type DeadlineEntry, DeadlineQueue } from "../timer/deadline_queue.ts";

/** Lookups started within this many milliseconds share a signal. */
export const WINDOW_MS = 10;

interface Window {
  controller: AbortController;
  /** When the window stops taking new lookups. */
  closes: number;
  /** Its lookups not finished and not timed out. */
  waiting: number;
  /** Why the signal aborts: the last timeout. */
  reason: unknown;
}

interface Waiter extends DeadlineEntry {
  window: Window;
  reject: (reason: unknown) => void;
  timeoutMessage: string;
}

/**
 * Runs lookups with a shared timeout and a shared cancel signal (the
 * server's): on either, the lookup's promise rejects at once, even when the
 * backend ignores its signal, and the signal it was given aborts (on a
 * timeout once every lookup sharing that signal has finished or timed out).
 *
 * @example
 * ```ts
 * import { LookupDeadlines } from "./lookup_deadline.ts";
 * const deadlines = new LookupDeadlines(1000, new AbortController().signal);
 * const value = await deadlines.run("lookup of a", () => Promise.resolve(1));
 * if (value !== 1) throw new Error();
 * ```
 */
export class LookupDeadlines {
  readonly #ms: number;
  readonly #cancel: AbortSignal;
  #window: Window | undefined;
  /** Windows with lookups still waiting (aborted all at once on cancel). */
  readonly #windows = new Set<Window>();
  /** Waiters in deadline order. */
  readonly #deadlines = new DeadlineQueue<Waiter>((waiter) => {
    const error = new Error(
      `${waiter.timeoutMessage} timed out after ${this.#ms} ms`,
    );
    waiter.window.reason = error;
    waiter.reject(error);
    this.#finish(waiter);
  });

  /**
   * Create the queue.
   *
   * @param ms The timeout of every lookup, in milliseconds.
   * @param cancel Aborts every lookup waiting (the server closing).
   */
  constructor(ms: number, cancel: AbortSignal) {
    this.#ms = ms;
    this.#cancel = cancel;
    cancel.addEventListener("abort", () => this.#abortAll(), { once: true });
  }

  /** The timeout of every lookup, in milliseconds. */
  get timeout(): number {
    return this.#ms;
  }

  /**
   * Run one lookup under the deadline.
   *
   * @param what Names the lookup in the timeout error, for example
   *   `Lookup of 08:00:27:29:4e:67`.
   * @param start Starts the lookup with the signal to honour.
   * @returns What the lookup resolves to.
   * @throws {Error} `<what> timed out after <ms> ms`, the cancel signal's
   *   reason, or what the lookup throws.
   */
  run<T>(what: string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#cancel.aborted) return Promise.reject(this.#cancel.reason);
    const now = performance.now();
    let window = this.#window;
    if (
      window === undefined || now >= window.closes ||
      window.controller.signal.aborted
    ) {
      window = {
        controller: new AbortController(),
        closes: now + WINDOW_MS,
        waiting: 0,
        reason: undefined,
      };
      this.#window = window;
    }
    if (window.waiting++ === 0) this.#windows.add(window);
    // Settled here rather than with `finally`, which adds two closures and
    // a promise per lookup.
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        deadline: now + this.#ms,
        window,
        reject,
        timeoutMessage: what,
        done: false,
        slot: -1,
      };
      this.#deadlines.push(waiter);
      let started: Promise<T>;
      try {
        started = start(window.controller.signal);
      } catch (error) {
        this.#finish(waiter);
        reject(error);
        return;
      }
      started.then((value) => {
        this.#finish(waiter);
        resolve(value);
      }, (error) => {
        this.#finish(waiter);
        reject(error);
      });
    });
  }

  #finish(waiter: Waiter): void {
    if (!this.#deadlines.settle(waiter)) return;
    const window = waiter.window;
    if (--window.waiting === 0) {
      this.#windows.delete(window);
      // A lookup of this window timed out: now that none waits, abort the
      // signal so backends stop work nobody waits for.
      if (window.reason !== undefined) {
        window.controller.abort(window.reason);
        if (this.#window === window) this.#window = undefined;
      }
    }
  }

  #abortAll(): void {
    const reason = this.#cancel.reason;
    for (const window of this.#windows) window.controller.abort(reason);
    for (const waiter of this.#deadlines.pending()) {
      waiter.reject(reason);
      this.#finish(waiter);
    }
    this.#deadlines.clear();
  }
}
