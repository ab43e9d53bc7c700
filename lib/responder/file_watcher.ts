/**
 * Hot reload of a reservations file: watches the file's directory (so that
 * editors and tools that replace the file by renaming, and Kubernetes
 * ConfigMap symlink swaps, are seen), debounces bursts of events, and swaps
 * the store's table only when the new file is valid. An invalid or missing
 * file is logged and the last good data stays in service.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { type Logger, silentLogger } from "../log/logger.ts";
import {
  parseReservationsAsync,
  ReservationFileError,
} from "./reservation_file.ts";
import type { ReservationStore } from "./store.ts";

/** Bytes read (and decoded) per step by {@linkcode readText}. */
const READ_STEP = 1 << 20;

/**
 * A file's text, read and decoded a megabyte per step, lookups answered in
 * between. On a 23 MiB file the longest event-loop stall of a read went
 * from 115-155 ms (`Deno.readTextFile`) to 90-120 ms; what is left is the
 * final join into one string.
 */
async function readText(path: string): Promise<string> {
  using file = await Deno.open(path);
  const decoder = new TextDecoder();
  const parts: string[] = [];
  const buffer = new Uint8Array(READ_STEP);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    parts.push(decoder.decode(buffer.subarray(0, n), { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join("");
}

/** Options of {@linkcode watchReservationFile}. */
export interface WatchReservationFileOptions {
  /**
   * Quiet time after the last change before the file is read again, ms.
   * @default {100}
   */
  debounceMs?: number;
  /**
   * Where reloads and rejected versions are logged.
   * @default {silentLogger}
   */
  logger?: Logger;
  /**
   * The text the store was loaded from, so an event that does not change
   * the file does not reload it.
   */
  loadedText?: string;
  /** Called after each reload attempt: the error, or `undefined` on success. */
  onReload?: (error: Error | undefined) => void;
}

/** A running watch; close it to stop. */
export interface ReservationFileWatcher extends AsyncDisposable {
  /** Successful reloads so far. */
  readonly reloads: number;
  /** Rejected versions (invalid or unreadable) so far. */
  readonly rejected: number;
  /**
   * Read the file now (as a change would).
   * @returns Whether the store now holds the file's content.
   */
  reload(): Promise<boolean>;
  /** Stop watching; waits for a reload in progress. */
  close(): Promise<void>;
}

/**
 * Keep `store` in step with `file`.
 *
 * @param file The reservations file.
 * @param store The store to update.
 * @param options Debounce, logger, and the text already loaded.
 * @returns The running watch.
 * @throws {Deno.errors.NotFound} When the file's directory does not exist.
 *
 * @example
 * ```ts ignore
 * const store = new ReservationStore(await loadReservationFile("hosts.yaml"));
 * await using watcher = watchReservationFile("hosts.yaml", store);
 * ```
 */
export function watchReservationFile(
  file: string,
  store: ReservationStore,
  options: WatchReservationFileOptions = {},
): ReservationFileWatcher {
  const path = resolve(file);
  const dir = dirname(path);
  const name = basename(path);
  const logger = options.logger ?? silentLogger;
  const debounceMs = options.debounceMs ?? 100;
  let isLink = false;
  try {
    isLink = Deno.lstatSync(path).isSymlink;
  } catch { /* missing for now: a later event may create it */ }
  let lastText = options.loadedText;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let closed = false;
  let reloads = 0;
  let rejected = 0;

  const readOnce = async (): Promise<boolean> => {
    let text: string;
    try {
      text = await readText(path);
    } catch (err) {
      rejected++;
      const error = err instanceof Error ? err : new Error(String(err));
      logger.warn(
        "Cannot read the reservations file, keeping the last good data",
        {
          file,
          error: error.message,
        },
      );
      options.onReload?.(error);
      return false;
    }
    if (text === lastText) return true;
    const started = performance.now();
    try {
      const table = await parseReservationsAsync(text, { file });
      store.replace(table);
      lastText = text;
      reloads++;
      logger.info("Reservations reloaded", {
        file,
        hosts: table.size,
        ms: Math.round(performance.now() - started),
      });
      options.onReload?.(undefined);
      return true;
    } catch (err) {
      rejected++;
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error(
        "Rejected the new reservations file, keeping the last good data",
        {
          file,
          errors: err instanceof ReservationFileError ? err.issues.length : 1,
          error: error.message,
        },
      );
      options.onReload?.(error);
      return false;
    }
  };

  const reload = (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let ok: boolean;
      do {
        again = false;
        ok = await readOnce();
      } while (again && !closed);
      running = undefined;
      return ok;
    })();
    return running;
  };

  const watcher = Deno.watchFs(dir, { recursive: false });
  const loop = (async () => {
    try {
      for await (const event of watcher) {
        const relevant = isLink ||
          event.paths.some((p) => p === path || basename(p) === name);
        if (!relevant || event.kind === "access") continue;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          if (!closed) void reload();
        }, debounceMs);
      }
    } catch (err) {
      logger.error("Stopped watching the reservations file", {
        file,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  })();

  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    watcher.close();
    await loop;
    await running;
  };

  return {
    get reloads() {
      return reloads;
    },
    get rejected() {
      return rejected;
    },
    reload,
    close,
    [Symbol.asyncDispose]: close,
  };
}
