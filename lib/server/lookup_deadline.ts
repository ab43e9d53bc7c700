/**
 * Deadlines for backend lookups without a timer, an `AbortSignal.any` and a
 * `Promise.race` per lookup: every lookup of one handler has the same
 * timeout, so deadlines come in order and one timer, armed for the oldest
 * lookup still waiting, serves them all.
 *
 * @module
 */
import { DeadlineQueue } from "../timer/deadline_queue.ts";

interface Waiter {
  deadline: number;
  controller: AbortController;
  reject: (reason: unknown) => void;
  timeoutMessage: string;
  done: boolean;
}

/**
 * Runs lookups with a shared timeout and a shared cancel signal (the
 * server's): on either, the lookup's own signal is aborted and its promise
 * rejects at once, even when the backend ignores the signal.
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
  /** Waiters in deadline order; finished ones are skipped lazily. */
  #waiting = 0;
  readonly #deadlines = new DeadlineQueue<Waiter>((waiter) => {
    const error = new Error(
      `${waiter.timeoutMessage} timed out after ${this.#ms} ms`,
    );
    waiter.controller.abort(error);
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
    const controller = new AbortController();
    const waiter: Waiter = {
      deadline: performance.now() + this.#ms,
      controller,
      reject: noop,
      timeoutMessage: what,
      done: false,
    };
    const promise = new Promise<T>((resolve, reject) => {
      waiter.reject = reject;
      start(controller.signal).then(resolve, reject);
    });
    this.#waiting++;
    this.#deadlines.push(waiter);
    return promise.finally(() => this.#finish(waiter));
  }

  #finish(waiter: Waiter): void {
    if (waiter.done) return;
    waiter.done = true;
    if (--this.#waiting === 0) {
      // Nothing waits: drop the timer so an idle server holds none.
      this.#deadlines.clear();
    }
  }

  #abortAll(): void {
    const reason = this.#cancel.reason;
    for (const waiter of this.#deadlines.pending()) {
      waiter.controller.abort(reason);
      waiter.reject(reason);
    }
  }
}

function noop(): void {}
