/**
 * Many waits with one timeout, on one timer: entries are queued in the order
 * their deadlines fall (all share one timeout), and a single timer expires
 * them from the head. Used for NATS requests and for lookups, where a timer
 * (and an AbortSignal) per operation was a measurable share of the CPU.
 *
 * The queue lets go of an entry as soon as it is settled
 * ({@linkcode DeadlineQueue.settle}), wherever it stands: an entry holds its
 * owner's promise callbacks, and through them what the promise resolved
 * to, so one kept behind another still waiting for its deadline held that
 * (under overload, tens of MB a second of NATS replies).
 *
 * @module
 */

/** An entry of a {@linkcode DeadlineQueue}. */
export interface DeadlineEntry {
  /** When it expires, on the `performance.now()` clock. */
  deadline: number;
  /** Settled ({@linkcode DeadlineQueue.settle}) or expired: never expired again. */
  done: boolean;
  /** The queue's bookkeeping (where it holds the entry); start it at -1. */
  slot: number;
}

/**
 * Slots held beyond twice the entries waiting, and this many more, make the
 * queue compact: settled entries leave an empty slot where they stood, and
 * those behind one still waiting leave only when it does.
 */
const SPARE_SLOTS = 1024;

/**
 * A FIFO of entries whose deadlines never decrease, expired by one timer.
 *
 * @example
 * ```ts
 * import { DeadlineQueue } from "./deadline_queue.ts";
 * const expired: string[] = [];
 * const queue = new DeadlineQueue<
 *   { deadline: number; done: boolean; slot: number; id: string }
 * >((entry) => {
 *   queue.settle(entry);
 *   expired.push(entry.id);
 * });
 * queue.push({ deadline: performance.now() + 5, done: false, slot: -1, id: "a" });
 * await new Promise((r) => setTimeout(r, 30));
 * if (expired[0] !== "a") throw new Error();
 * ```
 */
export class DeadlineQueue<E extends DeadlineEntry> {
  readonly #onExpire: (entry: E) => void;
  /** Entries in deadline order; a settled one leaves an empty slot. */
  #slots: (E | undefined)[] = [];
  #head = 0;
  #waiting = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the timer holds the process open (only while entries wait). */
  #referenced = false;

  /**
   * @param onExpire Called for each entry whose deadline passed while it
   *   waited; it settles the entry (the queue does so after it if it did
   *   not), and may call `clear()`.
   */
  constructor(onExpire: (entry: E) => void) {
    this.#onExpire = onExpire;
  }

  /** Entries waiting: pushed, and neither settled nor expired. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Slots held: the entries waiting and the empty slots between them. */
  get length(): number {
    return this.#slots.length - this.#head;
  }

  /**
   * Queue an entry; its deadline must not be earlier than the last one's.
   *
   * @param entry The entry, not done.
   */
  push(entry: E): void {
    this.#dropEmptyHead();
    if (this.length > 2 * this.#waiting + SPARE_SLOTS) {
      this.#relayout(this.#slots.filter((e) => e !== undefined));
    }
    entry.slot = this.#slots.length;
    this.#slots.push(entry);
    this.#waiting++;
    if (this.#timer === undefined) this.#arm(entry.deadline);
    else if (!this.#referenced) {
      // The timer kept from an idle spell fires at an earlier deadline (all
      // share one timeout) and re-arms for this entry then.
      setReferenced(this.#timer, true);
      this.#referenced = true;
    }
  }

  /**
   * Mark an entry done and let go of it. When none waits any more, the
   * timer stays but no longer holds the process open: when it fires with
   * nothing due it simply stops (a timer costs about a microsecond and a
   * kilobyte of garbage to create in Deno, and re-arming it per wait showed
   * in profiles when waits come one at a time).
   *
   * @param entry An entry of this queue (or of it before `clear()`).
   * @returns Whether it was waiting; `false` when it was already done.
   */
  settle(entry: E): boolean {
    if (entry.done) return false;
    entry.done = true;
    if (this.#slots[entry.slot] === entry) {
      this.#slots[entry.slot] = undefined;
      if (--this.#waiting === 0) this.#idle();
    }
    return true;
  }

  /** Forget every entry and stop the timer (when nothing waits any more). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#slots = [];
    this.#head = 0;
    this.#waiting = 0;
  }

  /** The entries waiting, oldest first. */
  *pending(): IterableIterator<E> {
    const slots = this.#slots;
    for (let i = this.#head; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== undefined) yield entry;
    }
  }

  #idle(): void {
    this.#slots = [];
    this.#head = 0;
    if (this.#timer !== undefined && this.#referenced) {
      setReferenced(this.#timer, false);
      this.#referenced = false;
    }
  }

  /** Waits mostly end in the order they began: skip the empty head. */
  #dropEmptyHead(): void {
    const slots = this.#slots;
    while (this.#head < slots.length && slots[this.#head] === undefined) {
      this.#head++;
    }
    if (this.#head > SPARE_SLOTS && this.#head * 2 > slots.length) {
      this.#relayout(slots.slice(this.#head));
    }
  }

  #relayout(slots: (E | undefined)[]): void {
    for (let i = 0; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== undefined) entry.slot = i;
    }
    this.#slots = slots;
    this.#head = 0;
  }

  #arm(deadline: number): void {
    const delay = Math.max(0, deadline - performance.now());
    this.#timer = setTimeout(() => this.#expire(), Math.ceil(delay));
    this.#referenced = true;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const slots = this.#slots;
    for (; this.#head < slots.length; this.#head++) {
      const entry = slots[this.#head];
      if (entry === undefined) continue;
      if (entry.deadline > now) break;
      this.#onExpire(entry);
      this.settle(entry);
      if (this.#slots !== slots) return; // cleared, or none waits
    }
    this.#dropEmptyHead();
    const next = this.#slots[this.#head];
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
