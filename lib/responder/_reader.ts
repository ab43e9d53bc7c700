/**
 * The one reader of reservations files: a JSON object through `JSON.parse`
 * when the file is valid JSON without duplicate keys and validates cleanly
 * (the fast way for large inventories), everything else through the
 * `yaml` package, which gives every problem its line. Both feed the same
 * host validator. Pure: no I/O, no event-loop turns; large files are read
 * off the main thread (see `_reader_worker.ts`).
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import { normalizeMac } from "../net/mac.ts";
import type { RawEntry } from "./_raw_tree.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import { shown } from "./_describe.ts";
import { readHost } from "./_read_host.ts";
import type { SharedStrings } from "./_shared_strings.ts";
import { parseJsonObject, plainToRaw } from "./_json_tree.ts";
import { MAX_DEPTH, parseYaml } from "./_yaml_tree.ts";
import { type Chunk, CHUNK_CHARS, rootChunks } from "./_yaml_chunks.ts";

/** Largest file read, in characters (bytes for ASCII). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Most hosts in one file; larger inventories belong in a KV store. */
export const MAX_HOSTS = 250_000;

/** What a file holds: reservations, or the problems that stop its use. */
export interface ReadResult {
  /** The reservations by lower-case colon MAC (empty when there are issues). */
  map: Map<string, Reservation>;
  /** Every problem, in line order. */
  issues: ReservationIssue[];
}

/**
 * Read and validate the text of a reservations file.
 *
 * @param text YAML or JSON.
 * @param chunkChars Size of the pieces a large YAML file is parsed in.
 * @returns The reservations, or every problem with its line.
 */
export function readReservationText(
  text: string,
  chunkChars = CHUNK_CHARS,
): ReadResult {
  const tooLarge = sizeIssue(text.length);
  if (tooLarge) return fail(tooLarge);
  const json = parseJsonObject(text);
  if (json !== undefined) {
    const size = Object.keys(json).length;
    if (size > MAX_HOSTS) return fail(hostsIssue(1));
    const hosts = new HostReader();
    let deep = false;
    for (const key in json) {
      const value = plainToRaw(json[key], 1);
      if (value === undefined) deep = true;
      else hosts.add({ key, line: 0, value }, 0);
    }
    if (!deep && hosts.issues.length === 0) {
      return { map: hosts.map, issues: [] };
    }
    // Problems: read it again as YAML below, for messages with lines.
  }
  const chunks = rootChunks(text, chunkChars);
  const inPieces = chunks && readChunks(chunks);
  if (inPieces) return inPieces;
  const parsed = parseYaml(text);
  if (!parsed.ok) return fail(...parsed.issues);
  const { root } = parsed.doc;
  if (root.kind === "empty") return { map: new Map(), issues: [] };
  if (root.kind !== "map") {
    return fail({
      line: root.line,
      message: `expected a mapping of MAC addresses to hosts, got ${
        root.kind === "seq" ? "a list" : "a single value"
      }`,
    });
  }
  if (root.size > MAX_HOSTS) return fail(hostsIssue(root.line));
  const hosts = new HostReader();
  parsed.doc.forEachEntry(
    hosts.issues,
    (entry, before) => hosts.add(entry, before),
  );
  if (hosts.issues.length > 0) return fail(...hosts.issues);
  return { map: hosts.map, issues: [] };
}

/**
 * The issue of a file of `size` bytes, when it is over
 * {@linkcode MAX_FILE_BYTES}.
 */
export function sizeIssue(size: number): ReservationIssue | undefined {
  if (size <= MAX_FILE_BYTES) return undefined;
  return {
    line: 1,
    message:
      `the file has ${size} bytes, more than ${MAX_FILE_BYTES}; put large inventories in JSON files, or in a KV store`,
  };
}

/**
 * A file read in pieces; `undefined` when a piece has a syntax error or is
 * not a block mapping with its keys in column 0 (the whole file is then
 * read, for the right messages).
 */
function readChunks(chunks: Chunk[]): ReadResult | undefined {
  const hosts = new HostReader();
  let size = 0;
  for (const chunk of chunks) {
    const parsed = parseYaml(chunk.text, chunk.lineOffset);
    if (!parsed.ok || !parsed.doc.root.blockAtColumn0) return undefined;
    size += parsed.doc.root.size;
    if (size > MAX_HOSTS) return fail(hostsIssue(1));
    parsed.doc.forEachEntry(
      hosts.issues,
      (entry, before) => hosts.add(entry, before),
    );
  }
  if (hosts.issues.length > 0) return fail(...hosts.issues);
  return { map: hosts.map, issues: [] };
}

function hostsIssue(line: number): ReservationIssue {
  return {
    line,
    message:
      `the file has more than ${MAX_HOSTS} entries; split it, or put large inventories in a KV store`,
  };
}

function fail(...issues: ReservationIssue[]): ReadResult {
  return { map: new Map(), issues: issues.sort((a, b) => a.line - b.line) };
}

/** Validates hosts one by one, as the reader produces them. */
class HostReader {
  readonly map = new Map<string, Reservation>();
  readonly issues: ReservationIssue[] = [];
  /** Values repeated across hosts, stored once. */
  readonly #shared: SharedStrings = new Map();
  /** Line of each MAC's first entry. */
  readonly #lines = new Map<string, number>();
  /** The MAC as first written, when not in normal form. */
  readonly #written = new Map<string, string>();

  /**
   * One `MAC: host` entry.
   *
   * @param entry The entry.
   * @param before The issue count before the entry was converted: when
   * its conversion found problems (an undefined alias, say), the host is
   * not validated further, and not kept.
   */
  add(entry: RawEntry, before: number): void {
    const issues = this.issues;
    const converted = issues.length === before;
    const mac = normalizeMac(entry.key);
    if (mac === undefined) {
      issues.push({
        line: entry.line,
        mac: shown(entry.key),
        message:
          "not a MAC address (expected hex pairs separated by ':' or '-', like 08:00:27:29:4e:67)",
      });
      return;
    }
    const firstLine = this.#lines.get(mac);
    if (firstLine !== undefined) {
      const firstWritten = this.#written.get(mac) ?? mac;
      const as = firstWritten === entry.key ? "" : ` as ${firstWritten}`;
      issues.push({
        line: entry.line,
        mac: entry.key,
        message:
          `duplicate MAC address (first defined on line ${firstLine}${as})`,
      });
      return;
    }
    this.#lines.set(mac, entry.line);
    if (entry.key !== mac) this.#written.set(mac, entry.key);
    if (!converted) return; // its problems are said; no follow-on errors
    const reservation = readHost(
      entry.value,
      mac,
      entry.key,
      entry.line,
      issues,
      this.#shared,
    );
    if (reservation) this.map.set(mac, reservation);
  }
}

/**
 * One host's value as `JSON.parse` gives it (a KV entry, say), validated
 * by the rules of the file.
 *
 * @param mac The MAC key as written.
 * @param value The host's value.
 * @param source Where it came from, for messages.
 * @returns The reservation, or its problems (line 0, `source` set).
 */
export function readPlainHost(
  mac: string,
  value: unknown,
  source: string,
): ReadResult {
  const hosts = new HostReader();
  const node = plainToRaw(value, 1);
  if (node === undefined) {
    hosts.issues.push({
      line: 0,
      mac: shown(mac),
      message: `nested deeper than ${MAX_DEPTH} levels`,
    });
  } else {
    hosts.add({ key: mac, line: 0, value: node }, 0);
  }
  for (const issue of hosts.issues) issue.source = source;
  return hosts;
}
