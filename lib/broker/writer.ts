/**
 * A connection's outbound side: protocol data is appended to a buffer and
 * written with one socket write per tick (double-buffered, so appends go
 * on while a write is in flight).
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
  #out = new OutBuffer();
  #spare = new OutBuffer();
  #inFlight = 0;
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
  }

  /** The buffer to append to; call {@linkcode ConnWriter.schedule} after. */
  get out(): OutBuffer {
    return this.#out;
  }

  /** Bytes queued or being written. */
  get pending(): number {
    return this.#out.length + this.#inFlight;
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

  /** Drop what is queued and write nothing more. */
  stop(): void {
    this.#stopped = true;
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing || this.#stopped) return;
    this.#writing = true;
    try {
      while (this.#out.length > 0 && !this.#stopped) {
        const buf = this.#out;
        this.#out = this.#spare;
        this.#spare = buf;
        let data = buf.view();
        this.#inFlight = data.length;
        while (data.length > 0) {
          const n = await this.#conn.write(data);
          data = data.subarray(n);
          this.#inFlight = data.length;
        }
        buf.reset();
      }
    } catch (err) {
      this.#inFlight = 0;
      this.#writing = false;
      this.#stopped = true;
      this.#hooks.onError(err);
      return;
    }
    this.#writing = false;
    if (!this.#stopped) this.#hooks.onIdle();
  }
}
