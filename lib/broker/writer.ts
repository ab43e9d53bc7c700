/**
 * A connection's outbound side: protocol data is appended to an
 * {@linkcode OutBuffer} and written from the end of the tick on, a chunk
 * per socket write (appends go on while a write is in flight).
 *
 * @module
 */

import { OutBuffer } from "./out_buffer.ts";

/** Callbacks of {@linkcode ConnWriter}. */
export interface ConnWriterHooks {
  /** A write failed; the writer has stopped. */
  onError(err: unknown): void;
  /** Everything queued has been written. */
  onIdle(): void;
  /** Buffer memory of this many bytes was freed. */
  onRelease?(bytes: number): void;
}

/**
 * Batches outbound bytes for one socket.
 *
 * @example
 * ```ts ignore
 * const writer = new ConnWriter(conn, { onError: console.error, onIdle: () => {} });
 * writer.out.ascii("PONG\r\n");
 * writer.schedule();
 * ```
 */
export class ConnWriter {
  #conn: Deno.Conn;
  #hooks: ConnWriterHooks;
  #out: OutBuffer;
  #writing = false;
  #scheduled = false;
  #stopped = false;

  /**
   * @param conn the socket to write to
   * @param hooks error and idle callbacks
   */
  constructor(conn: Deno.Conn, hooks: ConnWriterHooks) {
    this.#conn = conn;
    this.#hooks = hooks;
    this.#out = new OutBuffer((bytes) => hooks.onRelease?.(bytes));
  }

  /** The buffer to append to; call {@linkcode ConnWriter.schedule} after. */
  get out(): OutBuffer {
    return this.#out;
  }

  /** Bytes queued or being written. */
  get pending(): number {
    return this.#out.length;
  }

  /** Bytes of memory the buffer holds (pending plus free room). */
  get capacity(): number {
    return this.#out.capacity;
  }

  /** Whether a write is in flight or bytes are queued. */
  get busy(): boolean {
    return this.#writing || this.#out.length > 0;
  }

  /** Write what is queued at the end of this tick. */
  schedule(): void {
    if (this.#scheduled || this.#writing || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => void this.#flush());
  }

  /** Drop what is queued, free its memory, and write nothing more. */
  stop(): void {
    this.#stopped = true;
    this.#out.clear();
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing || this.#stopped) return;
    this.#writing = true;
    try {
      while (this.#out.length > 0 && !this.#stopped) {
        const n = await this.#conn.write(this.#out.peek());
        if (this.#stopped) break;
        this.#out.consume(n);
      }
    } catch (err) {
      this.#writing = false;
      this.#stopped = true;
      this.#hooks.onError(err);
      return;
    }
    this.#writing = false;
    if (!this.#stopped) this.#hooks.onIdle();
  }
}
