/**
 * `dhcp-nats kv import` and `kv export`: load a reservations file into a
 * NATS JetStream KV bucket (creating it), and print a bucket as a
 * reservations YAML file.
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import { stringify } from "yaml";
import { parseReservationsAsync } from "../responder/reservation_file.ts";
import { createKvBucket, openKvBucket } from "../responder/kv/bucket.ts";
import {
  exportReservations,
  importReservations,
} from "../responder/kv/bucket_io.ts";
import { hostValue } from "../responder/kv/host_value.ts";
import type { KvCommandConfig } from "./kv_config.ts";
import { natsConnectionOptions } from "./nats_options.ts";

/**
 * Run `kv import` or `kv export`.
 *
 * @param config The parsed command.
 * @param print Where the output goes (the YAML, or the import's counts).
 * @param warn Where warnings go (keys `export` leaves out).
 * @throws {ReservationFileError} When the file to import is invalid.
 * @throws {Error} When NATS cannot be reached, has no JetStream, or the
 * bucket to export does not exist.
 */
export async function runKv(
  config: KvCommandConfig,
  print: (text: string) => void,
  warn: (line: string) => void,
): Promise<void> {
  let table;
  if (config.action === "import") {
    const file = config.file!;
    table = await parseReservationsAsync(await Deno.readTextFile(file), {
      file,
    });
  }
  const options = await natsConnectionOptions(config, "dhcp-nats kv");
  const nc = await connect({
    ...options,
    // A one-shot command: fail instead of waiting for a server forever.
    waitOnFirstConnect: false,
    maxReconnectAttempts: 10,
  }).catch((err) => {
    throw new Error(
      `Cannot connect to NATS at ${config.natsUrl.join(",")}: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  });
  try {
    if (table !== undefined) {
      const kv = await createKvBucket(nc, config.kvBucket, {
        replicas: config.replicas,
      });
      const values = (await kv.status()).values;
      const started = performance.now();
      const c = await importReservations(kv, table, {
        values,
        prune: config.prune,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      print(
        `${config.file} -> KV bucket ${config.kvBucket}: ${table.size} hosts, ` +
          `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ` +
          `${c.deleted} deleted${config.prune ? "" : " (no --prune)"}, ` +
          `in ${seconds} s`,
      );
    } else {
      const { kv, values } = await openKvBucket(nc, config.kvBucket);
      const { reservations, skipped } = await exportReservations(kv, values);
      for (const s of skipped) {
        warn(`dhcp-nats kv export: left out ${s.key}: ${s.reason}`);
      }
      const doc: Record<string, unknown> = {};
      for (const [mac, r] of reservations) doc[mac] = hostValue(r);
      print(
        `# KV bucket ${config.kvBucket}: ${reservations.size} hosts\n` +
          (reservations.size === 0 ? "{}\n" : stringify(doc)),
      );
    }
  } finally {
    await nc.close();
  }
}
