/**
 * Reservations kept in a NATS JetStream key-value bucket: read the whole
 * bucket, then watch it, applying every put and delete to an in-memory
 * {@linkcode ReservationStore} so that lookups stay a map read.
 *
 * Keys are MACs in KV form (`08-00-27-29-4e-67`), values the JSON of one
 * host in the reservations-file format. A value that fails validation is
 * logged with its key and field and not served (the MAC's previous valid
 * value stays); a key that is not a MAC is logged and ignored.
 *
 * @module
 */
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import type { NatsConnection } from "../../types/nats.ts";
import { type Logger, silentLogger } from "../../log/logger.ts";
import { normalizeMac } from "../../net/mac.ts";
import { ReservationStore } from "../store.ts";
import { readHostValue } from "../reservation_file.ts";
import { bindKvBucket, openKvBucket } from "./bucket.ts";

/** What became of one entry of the bucket (see {@linkcode KvWatchOptions.onEntry}). */
export interface KvEntryOutcome {
  /** The key as stored. */
  key: string;
  /** The bucket revision (stream sequence) of the entry. */
  revision: number;
  /** `set` and `deleted` are in service; `refused` and `ignored` are not. */
  outcome: "set" | "deleted" | "refused" | "ignored";
}

/** Options of {@linkcode watchKvReservations}. */
export interface KvWatchOptions {
  /** Where problems and resumes are logged. */
  logger?: Logger;
  /** The store to keep; a new one by default. */
  store?: ReservationStore;
  /** Called after each entry is applied (or refused). */
  onEntry?: (entry: KvEntryOutcome) => void;
}

/** A running watch of a reservations bucket. */
export interface KvReservations extends AsyncDisposable {
  /** The bucket's name. */
  readonly bucket: string;
  /** The reservations in service. */
  readonly store: ReservationStore;
  /** The last revision applied (0 before the first). */
  readonly revision: number;
  /** Entries refused since start (bad value or a key that is not a MAC). */
  readonly refused: number;
  /** How many times the watch was resumed (after a reconnect, say). */
  readonly resumes: number;
  /** Stop watching. The store keeps its last contents. */
  close(): Promise<void>;
}

/**
 * The longest wait between two attempts to resume the watch, ms; attempts
 * start at 100 ms and double up to it.
 */
export const KV_RESUME_MAX_DELAY_MS = 2000;

/**
 * How long one attempt to resume may wait for the JetStream API, ms: after
 * a failover the first request can go unanswered, and the next attempt
 * should not wait the full API timeout for it.
 */
export const KV_RESUME_TIMEOUT_MS = 1000;

class BucketWatch implements KvReservations {
  readonly bucket: string;
  readonly store: ReservationStore;
  readonly #kv: KV;
  readonly #resumeKv: KV;
  readonly #logger: Logger;
  readonly #onEntry: KvWatchOptions["onEntry"];
  #revision = 0;
  #refused = 0;
  #resumes = 0;
  #iter: QueuedIterator<KvWatchEntry> | undefined;
  #closed = false;
  #loop: Promise<void> = Promise.resolve();
  #status: AsyncIterable<{ type: string }> & { stop?: () => void };
  #wake: (() => void) | undefined;

  constructor(
    nc: NatsConnection,
    kv: KV,
    resumeKv: KV,
    bucket: string,
    options: KvWatchOptions,
  ) {
    this.#kv = kv;
    this.#resumeKv = resumeKv;
    this.bucket = bucket;
    this.store = options.store ?? new ReservationStore();
    this.#logger = options.logger ?? silentLogger;
    this.#onEntry = options.onEntry;
    this.#status = nc.status();
  }

  get revision(): number {
    return this.#revision;
  }

  get refused(): number {
    return this.#refused;
  }

  get resumes(): number {
    return this.#resumes;
  }

  /** Read the whole bucket; resolves once every key present is applied. */
  async start(values: number): Promise<void> {
    const iter = await this.#kv.watch();
    this.#iter = iter;
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    if (values === 0) loaded();
    this.#loop = this.#run(iter, loaded);
    void this.#watchConnection();
    await Promise.race([ready, this.#loop]);
  }

  async #run(
    first: QueuedIterator<KvWatchEntry>,
    loaded: () => void,
  ): Promise<void> {
    let iter: QueuedIterator<KvWatchEntry> | undefined = first;
    for (let attempt = 0; !this.#closed;) {
      if (iter === undefined) {
        try {
          iter = await this.#resumeKv.watch({
            resumeFromRevision: this.#revision + 1,
          });
          this.#iter = iter;
          attempt = 0;
          this.#resumes++;
          this.#logger.info("KV watch resumed", {
            bucket: this.bucket,
            fromRevision: this.#revision + 1,
          });
          if (this.#closed) iter.stop();
        } catch (err) {
          this.#logger.warn("KV watch cannot resume yet; retrying", {
            bucket: this.bucket,
            error: (err as Error).message,
          });
          await this.#sleep(
            Math.min(KV_RESUME_MAX_DELAY_MS, 100 * 2 ** attempt++),
          );
          continue;
        }
      }
      for await (const entry of iter) {
        this.#apply(entry);
        if (entry.delta === 0) loaded();
      }
      iter = this.#iter = undefined;
    }
  }

  /** After a reconnect, resume the watch from the next revision. */
  async #watchConnection(): Promise<void> {
    for await (const s of this.#status) {
      if (this.#closed) break;
      if (s.type === "reconnect") this.#iter?.stop();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #apply(entry: KvWatchEntry): void {
    // A resumed watch may repeat what the previous one delivered.
    if (entry.revision <= this.#revision) return;
    this.#revision = entry.revision;
    const { key, revision } = entry;
    const mac = normalizeMac(key);
    if (mac === undefined) {
      this.#refused++;
      this.#logger.warn("KV key is not a MAC address; ignored", {
        bucket: this.bucket,
        key,
      });
      this.#onEntry?.({ key, revision, outcome: "ignored" });
      return;
    }
    if (entry.operation !== "PUT") {
      this.store.delete(mac);
      this.#onEntry?.({ key, revision, outcome: "deleted" });
      return;
    }
    let value: unknown;
    try {
      value = entry.json();
    } catch (err) {
      this.#refuse(key, revision, [{
        field: undefined,
        message: `the value is not JSON: ${(err as Error).message}`,
      }]);
      return;
    }
    const result = readHostValue(mac, value, `${this.bucket}/${key}`);
    if (result.reservation === undefined) {
      this.#refuse(key, revision, result.issues);
      return;
    }
    this.store.set(mac, result.reservation);
    this.#onEntry?.({ key, revision, outcome: "set" });
  }

  #refuse(
    key: string,
    revision: number,
    issues: readonly { field?: string; message: string }[],
  ): void {
    this.#refused++;
    for (const issue of issues) {
      this.#logger.warn(
        "KV value refused; the previous value stays in service",
        {
          bucket: this.bucket,
          key,
          field: issue.field ?? "",
          error: issue.message,
        },
      );
    }
    this.#onEntry?.({ key, revision, outcome: "refused" });
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#status.stop?.();
      this.#iter?.stop();
      this.#wake?.();
    }
    await this.#loop;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Read a reservations bucket into a store and keep it in step: puts and
 * deletes are in service as they arrive. After a NATS reconnect the watch
 * resumes from the next revision (no full reload), so no update made while
 * disconnected is missed.
 *
 * @param nc An open connection to a JetStream-enabled NATS server.
 * @param bucket The bucket's name.
 * @param options The store, a logger, an entry hook.
 * @returns The running watch, once the whole bucket is in the store.
 * @throws {Error} When the server has no JetStream (the message says to run
 * `nats-server -js`) or the bucket does not exist.
 *
 * @example A responder whose lookup is a KV-backed store
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { startResponder, watchKvReservations } from "@dhcp-nats/dhcp-nats";
 *
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * await using kv = await watchKvReservations(nc, "reservations");
 * await using _responder = await startResponder({
 *   nc,
 *   lookup: (mac) => kv.store.lookup(mac),
 * });
 * ```
 */
export async function watchKvReservations(
  nc: NatsConnection,
  bucket: string,
  options: KvWatchOptions = {},
): Promise<KvReservations> {
  const { kv, values } = await openKvBucket(nc, bucket);
  const resumeKv = await bindKvBucket(nc, bucket, KV_RESUME_TIMEOUT_MS);
  const watch = new BucketWatch(nc, kv, resumeKv, bucket, options);
  try {
    await watch.start(values);
  } catch (err) {
    await watch.close();
    throw new Error(
      `Cannot watch KV bucket ${bucket}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return watch;
}
