/**
 * One read of a reservations file (or text): its bytes, their digest (an
 * unchanged file is not parsed again), the size limit, then the reader.
 * What the Worker runs; also run on the main thread when no Worker can be
 * started (the single-file bundle has no Worker module).
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import { encodeHex } from "../bytes/hex.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import { readReservationText, sizeIssue } from "./_reader.ts";

/** What to read. */
export interface ReadRequest {
  /** The file to read; or */
  path?: string;
  /** the text to parse. */
  text?: string;
  /** The digest of the data in service: the same file is not parsed again. */
  knownDigest?: string;
}

/** The outcome of a read. */
export interface ReadOutcome {
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
 * Read and validate.
 *
 * @throws {Deno.errors.NotFound} and other I/O errors reading the file.
 */
export async function readRequest(request: ReadRequest): Promise<ReadOutcome> {
  const bytes = request.path !== undefined
    ? await Deno.readFile(request.path)
    : new TextEncoder().encode(request.text ?? "");
  const digest = await digestOf(bytes);
  const outcome = { digest, unchanged: false, map: new Map(), issues: [] };
  if (digest === request.knownDigest) return { ...outcome, unchanged: true };
  const tooLarge = sizeIssue(bytes.length);
  if (tooLarge) return { ...outcome, issues: [tooLarge] };
  const text = request.text ?? new TextDecoder().decode(bytes);
  return { ...outcome, ...readReservationText(text) };
}

/** SHA-256, hex. */
async function digestOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return encodeHex(hash);
}
