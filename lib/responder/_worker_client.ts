/**
 * The main thread's side of `_reader_worker.ts`: one Worker per read,
 * hosts taken a chunk per message and the next chunk asked for only then
 * (so lookups are answered between chunks), repeated values shared again,
 * the Worker ended when the read is over. Where no Worker can start (the
 * single-file bundle, which has no Worker module), the read runs on this
 * thread instead: same result, but a large file stalls lookups meanwhile.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Reservation } from "../backend/reservation.ts";
import type { ReadMessage, WorkerRequest } from "./_reader_worker.ts";
import {
  type ReadOutcome,
  type ReadRequest,
  readRequest,
} from "./_read_request.ts";
import {
  type SharedObjects,
  type SharedStrings,
  shareReservation,
} from "./_shared_strings.ts";

export type { ReadOutcome };

/**
 * Hosts per message from the Worker: a message is taken in one go, so this
 * bounds the main thread's work per event-loop turn (250 reservations are
 * well under a millisecond to take in).
 */
export const HOSTS_PER_MESSAGE = 250;

/** The Worker's module; absent from a bundle. */
const WORKER_URL = new URL("./_reader_worker.ts", import.meta.url);

/**
 * Read and validate a file (or text) in a Worker.
 *
 * @param request The file or text, and the digest of the data in service.
 * @returns The reservations or the problems.
 * @throws {Deno.errors.NotFound} and other I/O errors, as reading the file
 * threw them in the Worker.
 */
export function readInWorker(request: ReadRequest): Promise<ReadOutcome> {
  const worker = new Worker(WORKER_URL, { type: "module" });
  const map = new Map<string, Reservation>();
  const shared: SharedStrings = new Map();
  const objects: SharedObjects = new Map();
  let heard = false;
  return new Promise<ReadOutcome>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ReadMessage>) => {
      heard = true;
      const m = event.data;
      switch (m.type) {
        case "hosts":
          for (const [mac, reservation] of m.hosts) {
            shareReservation(mac, reservation, shared, objects);
            map.set(mac, reservation);
          }
          // Asked for after a turn of the event loop: a Worker that
          // answers at once would otherwise chain its chunks into one
          // long task (30 ms of this thread's CPU in one event-loop gap,
          // measured with bench/reload_bench.ts).
          return void setImmediate(() => worker.postMessage("more"));
        case "done":
          return resolve({
            digest: m.digest,
            unchanged: false,
            map,
            issues: m.issues,
          });
        case "unchanged":
          return resolve({
            digest: m.digest,
            unchanged: true,
            map,
            issues: [],
          });
        case "failed":
          return reject(ioError(m.name, m.message));
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (!heard) return resolve(readRequest(request)); // no Worker here
      reject(new Error(`The reservations reader failed: ${event.message}`));
    };
    const message: WorkerRequest = { ...request, chunk: HOSTS_PER_MESSAGE };
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

/** The error the Worker reported, as its class where Deno has one. */
function ioError(name: string, message: string): Error {
  const known = (Deno.errors as unknown as Record<
    string,
    (new (message: string) => Error) | undefined
  >)[name];
  const error = known ? new known(message) : new Error(message);
  if (!known) error.name = name;
  return error;
}
