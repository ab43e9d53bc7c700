/**
 * The main thread's side of `_reader_worker.ts`: one Worker per read,
 * hosts taken a chunk per message and the next chunk asked for only then
 * (so lookups are answered between chunks), the Worker ended when the read
 * is over or abandoned.
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import type { ReadMessage, ReadRequest } from "./_reader_worker.ts";
import { type SharedStrings, shareReservation } from "./_shared_strings.ts";

/**
 * Hosts per message from the Worker: taking in 1,000 reservations costs
 * the main thread about a millisecond.
 */
export const HOSTS_PER_MESSAGE = 250;

/** The outcome of a read in the Worker. */
export interface WorkerReadResult {
  /** SHA-256 of the file, hex. */
  digest: string;
  /** The file's digest was the known one: nothing was parsed. */
  unchanged: boolean;
  /** The reservations (empty when unchanged or when there are issues). */
  map: Map<string, Reservation>;
  /** Every problem, in line order. */
  issues: ReservationIssue[];
}

/**
 * Read and validate a file (or text) in a Worker.
 *
 * @param request The file or text, and the digest of the data in service.
 * @returns The reservations or the problems.
 * @throws {Deno.errors.NotFound} and other I/O errors, as reading the file
 * threw them in the Worker.
 */
export function readInWorker(
  request: Omit<ReadRequest, "chunk">,
): Promise<WorkerReadResult> {
  const worker = new Worker(
    new URL("./_reader_worker.ts", import.meta.url),
    { type: "module" },
  );
  const map = new Map<string, Reservation>();
  const shared: SharedStrings = new Map();
  return new Promise<WorkerReadResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ReadMessage>) => {
      const m = event.data;
      switch (m.type) {
        case "hosts":
          for (const [mac, reservation] of m.hosts) {
            shareReservation(mac, reservation, shared);
            map.set(mac, reservation);
          }
          return worker.postMessage("more");
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
      reject(
        new Error(`The reservations reader failed: ${event.message}`),
      );
    };
    worker.postMessage({ ...request, chunk: HOSTS_PER_MESSAGE });
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
