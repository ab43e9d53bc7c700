/**
 * The KV-backed responder: reservations read from a NATS JetStream
 * key-value bucket, kept in step with it by a watch, and served over NATS.
 * What `--responder --kv-bucket NAME` runs.
 *
 * @module
 */
import {
  connectResponder,
  type Responder,
  type ResponderOptions,
  type ResponderStats,
  startResponder,
} from "../responder.ts";
import type { ReservationStore } from "../store.ts";
import {
  type KvReservations,
  type KvWatchOptions,
  watchKvReservations,
} from "./kv_watch.ts";

/** Options of {@linkcode startKvResponder}. */
export interface KvResponderOptions
  extends Omit<ResponderOptions, "lookup" | "nc"> {
  /** The bucket of reservations. */
  bucket: string;
  /** Called after each entry of the bucket is applied (or refused). */
  onEntry?: KvWatchOptions["onEntry"];
}

/** A running KV-backed responder. */
export interface KvResponder extends AsyncDisposable {
  /** The NATS side. */
  readonly responder: Responder;
  /** The bucket watch. */
  readonly watch: KvReservations;
  /** The reservations in service. */
  readonly store: ReservationStore;
  /** The responder's counters. */
  readonly stats: ResponderStats;
  /** Stop watching, drain the responder, close the connection. */
  drain(): Promise<void>;
}

/**
 * Read the bucket, watch it, and answer lookups from it. The watch and the
 * responder share one connection.
 *
 * @param options The bucket, and the responder's options.
 * @returns The running responder, once the whole bucket is in service.
 * @throws {Error} When NATS cannot be reached, has no JetStream (the message
 * says to run `nats-server -js`), or the bucket does not exist.
 *
 * @example
 * ```ts ignore
 * import { startKvResponder } from "@dhcp-nats/dhcp-nats";
 * await using responder = await startKvResponder({
 *   bucket: "reservations",
 *   servers: "nats://127.0.0.1:4222",
 * });
 * console.log(responder.store.size, "hosts");
 * ```
 */
export async function startKvResponder(
  options: KvResponderOptions,
): Promise<KvResponder> {
  const { bucket, onEntry, ...rest } = options;
  const nc = await connectResponder(options);
  let watch: KvReservations | undefined;
  let responder: Responder;
  try {
    watch = await watchKvReservations(nc, bucket, {
      logger: options.logger,
      onEntry,
    });
    const store = watch.store;
    responder = await startResponder({
      ...rest,
      nc,
      lookup: (mac) => store.lookup(mac),
    });
  } catch (err) {
    await watch?.close();
    await nc.close();
    throw err;
  }
  options.logger?.info("Reservations loaded", {
    bucket,
    hosts: watch.store.size,
    revision: watch.revision,
  });
  let draining: Promise<void> | undefined;
  const w = watch;
  const drain = () =>
    draining ??= (async () => {
      await w.close();
      await responder.drain();
      await nc.drain().catch(() => nc.close());
    })();
  options.signal?.addEventListener("abort", () => void drain(), { once: true });
  return {
    responder,
    watch: w,
    store: w.store,
    get stats() {
      return responder.stats;
    },
    drain,
    [Symbol.asyncDispose]: drain,
  };
}
