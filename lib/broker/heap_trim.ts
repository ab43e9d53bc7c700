/**
 * Giving freed buffer memory back to the operating system. Buffers are
 * allocated by glibc's malloc; blocks below its mmap threshold (which rises
 * to 32 MiB as large blocks are freed) stay in the process when freed, so a
 * broker that queued a gigabyte for slow consumers kept it as resident
 * memory after they closed. `malloc_trim(0)` hands the free pages back.
 *
 * @module
 */
import { libc, libcUnavailable } from "../sys/libc.ts";

/**
 * Call glibc's `malloc_trim(0)`.
 *
 * @returns false where that is not possible (not Linux, no ffi permission,
 *   no glibc), true after trimming
 */
export function mallocTrim(): boolean {
  if (libcUnavailable() !== undefined) return false;
  libc().malloc_trim(0n);
  return true;
}

/** Options of {@linkcode HeapTrimmer}. */
export interface HeapTrimmerOptions {
  /**
   * Bytes released after which a trim is due.
   * @default {16777216}
   */
  threshold?: number;
  /**
   * Milliseconds from the release that crossed the threshold to the trim,
   * so that one trim covers a whole burst of closes.
   * @default {1000}
   */
  delay?: number;
  /** The trim; {@linkcode mallocTrim} by default. */
  trim?: () => unknown;
}

/**
 * Counts buffer bytes released and trims the heap once enough were, at
 * most once per `delay`.
 */
export class HeapTrimmer {
  #released = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #threshold: number;
  #delay: number;
  #trim: () => unknown;
  #closed = false;

  /** @param options threshold, delay and the trim function */
  constructor(options: HeapTrimmerOptions = {}) {
    this.#threshold = options.threshold ?? 16 * 1024 * 1024;
    this.#delay = options.delay ?? 1000;
    this.#trim = options.trim ?? mallocTrim;
  }

  /**
   * Note freed buffer memory.
   *
   * @param bytes bytes just released
   */
  released(bytes: number): void {
    this.#released += bytes;
    if (
      this.#released < this.#threshold || this.#timer !== undefined ||
      this.#closed
    ) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#released = 0;
      this.#trim();
    }, this.#delay);
  }

  /** Cancel a pending trim and trim no more. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
