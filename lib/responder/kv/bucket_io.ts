/**
 * Loading a whole reservations table into a bucket, and reading a bucket
 * back as one: what `kv import` and `kv export` do.
 *
 * @module
 */
import type { KV, KvEntry } from "@nats-io/kv";
import type { Reservation } from "../../backend/reservation.ts";
import { macToKvKey, normalizeMac } from "../../net/mac.ts";
import { readHostValue } from "../reservation_file.ts";
import { hostValue } from "./host_value.ts";

/** Puts (and deletes) `importReservations` keeps in flight at once. */
export const KV_IMPORT_WINDOW = 256;

/**
 * The last value of every key of the bucket (deleted keys left out).
 *
 * @param kv The bucket.
 * @param values Messages in its stream (from its status); 0 returns at once.
 * @returns Entries by key.
 */
export async function readKvSnapshot(
  kv: KV,
  values: number,
): Promise<Map<string, KvEntry>> {
  const entries = new Map<string, KvEntry>();
  if (values === 0) return entries;
  const iter = await kv.watch();
  for await (const entry of iter) {
    if (entry.operation === "PUT") entries.set(entry.key, entry);
    else entries.delete(entry.key);
    if (entry.delta === 0) break;
  }
  iter.stop();
  return entries;
}

/** Counts of {@linkcode importReservations}. */
export interface ImportCounts {
  /** Keys that were not in the bucket. */
  added: number;
  /** Keys whose value changed. */
  updated: number;
  /** Keys already holding the same value (not written again). */
  unchanged: number;
  /** Keys deleted because the table does not have them (`prune`). */
  deleted: number;
}

/** Run `tasks` with at most `window` of them in flight. */
async function inWindow(
  tasks: Iterable<() => Promise<unknown>>,
  window: number,
): Promise<void> {
  const running = new Set<Promise<unknown>>();
  for (const task of tasks) {
    const p = task().finally(() => running.delete(p));
    running.add(p);
    if (running.size >= window) await Promise.race(running);
  }
  await Promise.all(running);
}

/**
 * Put every reservation of `table` into the bucket, one key per host, and
 * with `prune` delete the keys the table does not have. Values already in
 * place are not written again, so responders see only real changes.
 *
 * @param kv The bucket.
 * @param table Reservations by MAC (as the file reader returns them).
 * @param options `values`: messages in the bucket's stream; `prune`.
 * @returns What changed.
 * @throws {Error} When a put or delete fails (the ones before it stay).
 */
export async function importReservations(
  kv: KV,
  table: ReadonlyMap<string, Reservation>,
  options: { values: number; prune?: boolean },
): Promise<ImportCounts> {
  const existing = await readKvSnapshot(kv, options.values);
  const counts: ImportCounts = {
    added: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
  };
  const keep = new Set<string>();
  function* puts() {
    for (const [mac, reservation] of table) {
      const key = macToKvKey(mac)!;
      keep.add(key);
      const value = JSON.stringify(hostValue(reservation));
      const before = existing.get(key);
      if (before === undefined) counts.added++;
      else if (before.string() === value) {
        counts.unchanged++;
        continue;
      } else counts.updated++;
      yield () => kv.put(key, value);
    }
  }
  await inWindow(puts(), KV_IMPORT_WINDOW);
  if (options.prune) {
    const gone = [...existing.keys()].filter((key) => !keep.has(key));
    counts.deleted = gone.length;
    await inWindow(gone.map((key) => () => kv.delete(key)), KV_IMPORT_WINDOW);
  }
  return counts;
}

/** What {@linkcode exportReservations} found. */
export interface ExportResult {
  /** The valid reservations, by MAC, in MAC order. */
  reservations: Map<string, Reservation>;
  /** Keys left out, each with why. */
  skipped: { key: string; reason: string }[];
}

/**
 * Read the bucket as a reservations table: valid values only, so that what
 * is written from it is a file `--reservations` and `kv import` accept.
 *
 * @param kv The bucket.
 * @param values Messages in its stream.
 * @returns The reservations and the keys left out.
 */
export async function exportReservations(
  kv: KV,
  values: number,
): Promise<ExportResult> {
  const snapshot = await readKvSnapshot(kv, values);
  const result: ExportResult = { reservations: new Map(), skipped: [] };
  for (const key of [...snapshot.keys()].sort()) {
    const mac = normalizeMac(key);
    if (mac === undefined) {
      result.skipped.push({ key, reason: "the key is not a MAC address" });
      continue;
    }
    let value: unknown;
    try {
      value = snapshot.get(key)!.json();
    } catch (err) {
      result.skipped.push({
        key,
        reason: `the value is not JSON: ${(err as Error).message}`,
      });
      continue;
    }
    const read = readHostValue(mac, value, key);
    if (read.reservation === undefined) {
      result.skipped.push({
        key,
        reason: read.issues.map((i) =>
          i.field ? `${i.field}: ${i.message}` : i.message
        ).join("; "),
      });
      continue;
    }
    result.reservations.set(mac, read.reservation);
  }
  return result;
}
