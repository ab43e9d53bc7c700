/**
 * Many waits with one timeout, on one timer: entries are queued in the order
 * their deadlines fall (all share one timeout), and a single timer expires
 * them from the head. Used for NATS requests and for lookups, where a timer
 * (and an AbortSignal) per operation was a measurable share of the CPU.
 *
 * @module
 */

/** An entry of a {@linkcode DeadlineQueue}; `done` entries are skipped. */
export interface DeadlineEntry {
  /** When it expires, on the `performance.now()` clock. */
  deadline: number;
  /** Settled some other way: never expired. */
  done: boolean;
}

/**
 * A FIFO of entries whose deadlines never decrease, expired by one timer.
 *
 * @example
 * ```ts
 * import { DeadlineQueue } from "./deadline_queue.ts";
 * const expired: string[] = [];
 * const queue = new DeadlineQueue<{ deadline: number; done: boolean; id: string }>(
 *   (entry) => {
 *     entry.done = true;
 *     expired.push(entry.id);
 *   },
 * );
 * queue.push({ deadline: performance.now() + 5, done: false, id: "a" });
 * await new Promise((r) => setTimeout(r, 30));
 * if (expired[0] !== "a") throw new Error();
 * ```
 */
export class DeadlineQueue<E extends DeadlineEntry> {
  readonly #onExpire: (entry: E) => void;
  #queue: E[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the timer holds the process open (only while entries wait). */
  #referenced = false;

  /**
   * @param onExpire Called for each entry whose deadline passed while it was
   * not done; it must settle the entry (set `done`), and may call `clear()`.
   */
  constructor(onExpire: (entry: E) => void) {
    this.#onExpire = onExpire;
  }

  /** Entries held: those waiting, and done ones not yet let go of. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Queue an entry; its deadline must not be earlier than the last one's.
   *
   * @param entry The entry.
   * @param waiting How many entries of this queue are not done (the owner
   *   knows): a queue holding over twice that, and over 1024 more, drops
   *   its done entries. Without it, done entries leave only from the head,
   *   so one entry that waits out its deadline holds every later one
   *   (under overload, the whole timeout's worth of lookups).
   */
  push(entry: E, waiting?: number): void {
    this.#dropDoneHead();
    if (
      waiting !== undefined &&
      this.#queue.length - this.#head > 2 * waiting + 1024
    ) {
      this.#queue = this.#queue.slice(this.#head).filter((e) => !e.done);
      this.#head = 0;
    }
    this.#queue.push(entry);
    if (this.#timer === undefined) this.#arm(entry.deadline);
    else if (!this.#referenced) {
      // The timer kept from an idle spell fires at an earlier deadline (all
      // share one timeout) and re-arms for this entry then.
      setReferenced(this.#timer, true);
      this.#referenced = true;
    }
  }

  /**
   * Let go of the entries at the head that are done. Waits mostly finish in
   * the order they started, so under steady load this keeps the queue about
   * as long as the waits in flight; without it every entry stayed queued
   * until its deadline (seconds of lookups, with what their promises
   * resolved to: tens of MB under overload).
   */
  #dropDoneHead(): void {
    const queue = this.#queue as (E | undefined)[];
    while (this.#head < queue.length && queue[this.#head]!.done) {
      queue[this.#head++] = undefined;
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Drop every entry (all settled, or no longer waited for) but keep the
   * timer: it is unreferenced, so it holds no process open, and when it
   * fires with nothing due it simply stops. Cheaper than {@linkcode clear}
   * when waits come one at a time: a timer costs about a microsecond and a
   * kilobyte of garbage to create in Deno, and re-arming it per wait showed
   * in profiles.
   */
  forgetAll(): void {
    this.#queue = [];
    this.#head = 0;
    if (this.#timer !== undefined && this.#referenced) {
      setReferenced(this.#timer, false);
      this.#referenced = false;
    }
  }

  /** Forget every entry and stop the timer (when nothing waits any more). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }

  /** The entries not yet done, oldest first. */
  *pending(): IterableIterator<E> {
    const queue = this.#queue;
    for (let i = this.#head; i < queue.length; i++) {
      if (!queue[i].done) yield queue[i];
    }
  }

  #arm(deadline: number): void {
    const delay = Math.max(0, deadline - performance.now());
    this.#timer = setTimeout(() => this.#expire(), Math.ceil(delay));
    this.#referenced = true;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const entry = queue[this.#head];
      if (!entry.done) {
        if (entry.deadline > now) break;
        this.#onExpire(entry);
        if (this.#queue !== queue) return; // onExpire cleared the queue
      }
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#queue[this.#head];
    if (next !== undefined && this.#timer === undefined) {
      this.#arm(next.deadline);
    }
  }
}

/** Ref or unref a timer: a Node-style Timeout (Deno 2's global) or an id. */
function setReferenced(
  timer: ReturnType<typeof setTimeout>,
  referenced: boolean,
): void {
  if (typeof timer === "number") {
    if (referenced) Deno.refTimer(timer);
    else Deno.unrefTimer(timer);
    return;
  }
  const t = timer as { ref?: () => void; unref?: () => void };
  if (referenced) t.ref?.();
  else t.unref?.();
}
