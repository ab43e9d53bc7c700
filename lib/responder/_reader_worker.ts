/**
 * The Worker that reads a reservations file off the main thread, so that a
 * large file never stalls lookups: it reads the file (or takes the text),
 * skips it when its digest is the one already in service, parses and
 * validates it, and posts the hosts in chunks that the main thread takes
 * in between its other work. Protocol: {@linkcode ReadRequest} in,
 * {@linkcode ReadMessage}s out, the last one `done`, `unchanged` or
 * `failed`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import process from "node:process";
import type { Reservation } from "../backend/reservation.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import { readReservationText, sizeIssue } from "./_reader.ts";

/** What the main thread asks for. */
export interface ReadRequest {
  /** The file to read; or */
  path?: string;
  /** the text to parse. */
  text?: string;
  /** The digest of the data in service: the same file is not parsed again. */
  knownDigest?: string;
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
// from 1.85 to 1.25 s of CPU.
Object.defineProperty(process, "env", {
  value: { ...process.env },
  configurable: true,
  writable: true,
});

/** Resolves the wait for the main thread's next `"more"`. */
let more: (() => void) | undefined;

/** SHA-256 of the file, hex. */
async function digestOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function handle(request: ReadRequest): Promise<void> {
  const post = (message: ReadMessage) => self.postMessage(message);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = request.path !== undefined
      ? await Deno.readFile(request.path)
      : new TextEncoder().encode(request.text ?? "");
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return post({ type: "failed", name: e.name, message: e.message });
  }
  const digest = await digestOf(bytes);
  if (digest === request.knownDigest) {
    return post({ type: "unchanged", digest });
  }
  const tooLarge = sizeIssue(bytes.length);
  if (tooLarge) return post({ type: "done", digest, issues: [tooLarge] });
  const text = request.text ?? new TextDecoder().decode(bytes);
  const { map, issues } = readReservationText(text);
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

self.onmessage = (event: MessageEvent<ReadRequest | "more">) => {
  if (event.data === "more") return more?.();
  handle(event.data).catch((err) => {
    const e = err instanceof Error ? err : new Error(String(err));
    self.postMessage({ type: "failed", name: e.name, message: e.message });
  });
};
