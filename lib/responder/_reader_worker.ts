/**
 * The Worker that reads a reservations file off the main thread, so that a
 * large file never stalls lookups. It runs one {@linkcode readRequest} and
 * posts the hosts in chunks, the next one only when the main thread asks
 * for it (`"more"`), so that taking them in never holds its event loop for
 * more than one chunk. Protocol: a {@linkcode WorkerRequest} in,
 * {@linkcode ReadMessage}s out, the last one `done`, `unchanged` or
 * `failed`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import process from "node:process";
import type { Reservation } from "../backend/reservation.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import { type ReadRequest, readRequest } from "./_read_request.ts";

/** What the main thread asks for. */
export interface WorkerRequest extends ReadRequest {
  /** Hosts per `hosts` message. */
  chunk: number;
}

/** What the worker answers, in order. */
export type ReadMessage =
  | { type: "hosts"; hosts: [string, Reservation][] }
  | { type: "done"; digest: string; issues: ReservationIssue[] }
  | { type: "unchanged"; digest: string }
  | { type: "failed"; name: string; message: string };

// The yaml package reads process.env.LOG_TOKENS for every token, and each
// read is a call into Deno (op_get_env): 12% of the parse in a CPU profile.
// A snapshot (this Worker's own `process`) took the parse of 20,000 hosts
// from 1.85 to 1.25 s of CPU, and lets the Worker parse without env access.
let env: Record<string, string | undefined>;
try {
  env = { ...process.env };
} catch {
  env = {}; // without --allow-env: the package's debug switches stay off
}
Object.defineProperty(process, "env", {
  value: env,
  configurable: true,
  writable: true,
});

/** Resolves the wait for the main thread's next `"more"`. */
let more: (() => void) | undefined;

async function handle(request: WorkerRequest): Promise<void> {
  const post = (message: ReadMessage) => self.postMessage(message);
  const { digest, unchanged, map, issues } = await readRequest(request);
  if (unchanged) return post({ type: "unchanged", digest });
  let hosts: [string, Reservation][] = [];
  for (const entry of map) {
    hosts.push(entry);
    if (hosts.length === request.chunk) {
      const asked = new Promise<void>((resolve) => more = resolve);
      post({ type: "hosts", hosts });
      hosts = [];
      await asked;
    }
  }
  if (hosts.length > 0) post({ type: "hosts", hosts });
  post({ type: "done", digest, issues });
}

self.onmessage = (event: MessageEvent<WorkerRequest | "more">) => {
  if (event.data === "more") return more?.();
  handle(event.data).catch((err) => {
    const e = err instanceof Error ? err : new Error(String(err));
    self.postMessage({ type: "failed", name: e.name, message: e.message });
  });
};
