/**
 * Opening and creating the reservations bucket, with the errors a user can
 * act on: a server without JetStream, a bucket that does not exist.
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "../../types/nats.ts";

/** How long a JetStream API request may take, ms. */
export const KV_API_TIMEOUT_MS = 5000;

/** What to run instead, in every "no JetStream" message. */
const RUN_JETSTREAM =
  "--kv-bucket needs a nats-server with JetStream: run nats-server -js (or add jetstream {} to its config); the embedded --server has no JetStream";

/**
 * Fail unless the server answers the JetStream API.
 *
 * @throws {Error} Saying to run `nats-server -js`.
 */
async function requireJetStream(nc: NatsConnection): Promise<void> {
  try {
    await jetstreamManager(nc, { checkAPI: true, timeout: KV_API_TIMEOUT_MS });
  } catch (err) {
    throw new Error(
      `The NATS server has no JetStream (${
        (err as Error).message
      }): ${RUN_JETSTREAM}`,
      { cause: err },
    );
  }
}

/** An open bucket and how many entries its stream held when opened. */
export interface OpenBucket {
  /** The bucket. */
  kv: KV;
  /** Messages in the bucket's stream (0: nothing to read at start). */
  values: number;
}

/**
 * Open an existing bucket.
 *
 * @param nc An open connection.
 * @param bucket The bucket's name.
 * @returns The bucket and its size.
 * @throws {Error} When the server has no JetStream or the bucket does not
 * exist; the message says what to run.
 *
 * @example
 * ```ts ignore
 * const { kv } = await openKvBucket(nc, "reservations");
 * ```
 */
export async function openKvBucket(
  nc: NatsConnection,
  bucket: string,
): Promise<OpenBucket> {
  await requireJetStream(nc);
  let kv: KV;
  try {
    kv = await new Kvm(nc).open(bucket);
    const status = await kv.status();
    return { kv, values: status.values };
  } catch (err) {
    const message = (err as Error).message;
    if (/stream not found/i.test(message)) {
      throw new Error(
        `KV bucket ${bucket} does not exist: create it with dhcp-nats kv import --kv-bucket ${bucket} FILE (or nats kv add ${bucket})`,
        { cause: err },
      );
    }
    throw new Error(`Cannot open KV bucket ${bucket}: ${message}`, {
      cause: err,
    });
  }
}

/**
 * Bind to a bucket without asking the server anything, with a JetStream
 * request timeout of its own (a watch resuming after a failover retries
 * sooner with a short one).
 *
 * @param nc An open connection.
 * @param bucket The bucket's name.
 * @param timeoutMs How long each JetStream request may take.
 * @returns The bucket.
 *
 * @example
 * ```ts ignore
 * const kv = await bindKvBucket(nc, "reservations", 1000);
 * ```
 */
export function bindKvBucket(
  nc: NatsConnection,
  bucket: string,
  timeoutMs: number,
): Promise<KV> {
  return new Kvm(jetstream(nc, { timeout: timeoutMs })).open(bucket);
}

/**
 * Open a bucket, creating it when missing.
 *
 * @param nc An open connection.
 * @param bucket The bucket's name.
 * @param options `replicas`: copies of the bucket in a cluster (1 by
 * default); used only when the bucket is created.
 * @returns The bucket.
 * @throws {Error} When the server has no JetStream or refuses the bucket.
 *
 * @example
 * ```ts ignore
 * const kv = await createKvBucket(nc, "reservations", { replicas: 3 });
 * ```
 */
export async function createKvBucket(
  nc: NatsConnection,
  bucket: string,
  options: { replicas?: number } = {},
): Promise<KV> {
  await requireJetStream(nc);
  try {
    return await new Kvm(nc).create(bucket, {
      replicas: options.replicas ?? 1,
      history: 1,
    });
  } catch (err) {
    throw new Error(
      `Cannot create KV bucket ${bucket}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
