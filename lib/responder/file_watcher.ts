/**
 * Hot reload of a reservations file: watches the file's directory (so that
 * editors and tools that replace the file by renaming, and Kubernetes
 * ConfigMap symlink swaps, are seen), debounces bursts of events, and swaps
 * the store's table only when the new file is valid. The file is read and
 * parsed in a Worker, so lookups are answered from the old data, without
 * stalls, until the new data is ready. An invalid or missing file is logged
 * and the last good data stays in service.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { type Logger, silentLogger } from "../log/logger.ts";
import { ReservationFileError } from "./reservation_file.ts";
import { readInWorker } from "./_worker_client.ts";
import type { ReservationStore } from "./store.ts";

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
   * The digest of the file the store was loaded from (as
   * `loadReservations` gives it), so an event that does not
   * change the file does not reload it.
   */
  loadedDigest?: string;
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
  let lastDigest = options.loadedDigest;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let closed = false;
  let reloads = 0;
  let rejected = 0;

  const readOnce = async (): Promise<boolean> => {
    const started = performance.now();
    try {
      const read = await readInWorker({ path, knownDigest: lastDigest });
      if (read.unchanged) return true;
      if (read.issues.length > 0) {
        throw new ReservationFileError(read.issues, file);
      }
      store.replace(read.map);
      lastDigest = read.digest;
      reloads++;
      logger.info("Reservations reloaded", {
        file,
        hosts: read.map.size,
        ms: Math.round(performance.now() - started),
      });
      if (read.map.size === 0) {
        logger.warn("The reservations file has no hosts", { file });
      }
      options.onReload?.(undefined);
      return true;
    } catch (err) {
      rejected++;
      const error = err instanceof Error ? err : new Error(String(err));
      const invalid = err instanceof ReservationFileError;
      logger.error(
        invalid
          ? "Rejected the new reservations file, keeping the last good data"
          : "Cannot read the reservations file, keeping the last good data",
        {
          file,
          errors: invalid ? err.issues.length : 1,
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
