/**
 * The file-backed responder: a reservations file, loaded and validated at
 * start, kept in an in-memory store, reloaded when it changes, and served
 * over NATS. What `--responder` runs.
 *
 * @module
 */
import { loadReservations } from "./reservation_file.ts";
import { ReservationStore } from "./store.ts";
import {
  type ReservationFileWatcher,
  watchReservationFile,
} from "./file_watcher.ts";
import {
  type Responder,
  type ResponderOptions,
  type ResponderStats,
  startResponder,
} from "./responder.ts";

/** Options of {@linkcode startFileResponder}. */
export interface FileResponderOptions extends Omit<ResponderOptions, "lookup"> {
  /** The reservations file (YAML or JSON). */
  file: string;
  /**
   * Reload the file when it changes.
   * @default {true}
   */
  watch?: boolean;
  /**
   * Quiet time after a change before reloading, ms.
   * @default {100}
   */
  debounceMs?: number;
  /** Called after each reload attempt: the error, or `undefined` on success. */
  onReload?: (error: Error | undefined) => void;
}

/** A running file-backed responder. */
export interface FileResponder extends AsyncDisposable {
  /** The NATS side. */
  readonly responder: Responder;
  /** The reservations in service. */
  readonly store: ReservationStore;
  /** The file watch, when `watch` is on. */
  readonly watcher: ReservationFileWatcher | undefined;
  /** The responder's counters. */
  readonly stats: ResponderStats;
  /** Stop watching, then drain the responder (see {@linkcode Responder.drain}). */
  drain(): Promise<void>;
}

/**
 * Load `file`, start watching it, and answer lookups from it.
 *
 * @param options The file, and the responder's options.
 * @returns The running responder.
 * @throws {ReservationFileError} When the file is invalid (every problem is
 * listed, with its line).
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {Error} When NATS cannot be reached.
 *
 * @example
 * ```ts ignore
 * await using responder = await startFileResponder({
 *   file: "examples/reservations.yaml",
 *   servers: "nats://127.0.0.1:4222",
 * });
 * ```
 */
export async function startFileResponder(
  options: FileResponderOptions,
): Promise<FileResponder> {
  const { file, watch = true, debounceMs, onReload, ...rest } = options;
  const loaded = await loadReservations(file);
  const store = new ReservationStore(loaded.map);
  const logger = options.logger;
  const watcher = watch
    ? watchReservationFile(file, store, {
      debounceMs,
      logger,
      loadedDigest: loaded.digest,
      onReload,
    })
    : undefined;
  let responder: Responder;
  try {
    responder = await startResponder({
      ...rest,
      lookup: (mac) => store.lookup(mac),
    });
  } catch (err) {
    await watcher?.close();
    throw err;
  }
  logger?.info("Reservations loaded", { file, hosts: store.size });
  if (store.size === 0) {
    logger?.warn("The reservations file has no hosts", { file });
  }
  let draining: Promise<void> | undefined;
  const drain = () =>
    draining ??= (async () => {
      await watcher?.close();
      await responder.drain();
    })();
  options.signal?.addEventListener("abort", () => void drain(), { once: true });
  return {
    responder,
    store,
    watcher,
    get stats() {
      return responder.stats;
    },
    drain,
    [Symbol.asyncDispose]: drain,
  };
}
