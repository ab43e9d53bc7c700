/**
 * Reading and validating a reservations file: YAML (or JSON) keyed by MAC
 * address, in the format of tinkerbell/dhcp's file backend, plus this
 * project's per-host extensions.
 *
 * ```yaml
 * 08:00:27:29:4e:67:
 *   ipAddress: 192.168.2.153
 *   subnetMask: 255.255.255.0
 *   defaultGateway: 192.168.2.1
 *   nameServers: [192.168.2.1]
 *   hostname: pxe-virtualbox
 *   leaseTime: 86400
 *   netboot:
 *     allowPxe: true
 *     ipxeScriptUrl: https://boot.example.com/auto.ipxe
 *   classlessStaticRoutes:
 *     - destination: 10.0.0.0/8
 *       router: 192.168.2.1
 *   tftpServerName: 192.168.2.5
 *   bootFileName: ipxe.efi
 *   dhcpDisabled: false
 * ```
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Reservation } from "../backend/reservation.ts";
import type { RawEntry, RawNode, RawParseResult } from "./_raw_tree.ts";
import { parseYamlSubset, rootChunks } from "./_yaml_subset.ts";
import { parseYamlFull } from "./_yaml_full.ts";
import { parseJsonFast } from "./_json_fast.ts";
import { describe, type ReservationIssue } from "./_host_fields.ts";
import { readHost, type SharedStrings } from "./_read_host.ts";
import { normalizeMac } from "../net/mac.ts";
import { FastHostReader } from "./_fast_hosts.ts";

export type { ReservationIssue };

/** Reservations by lower-case colon MAC address. */
export type ReservationMap = ReadonlyMap<string, Reservation>;

/** How many issues the error message lists before summarising the rest. */
const MESSAGE_ISSUES = 20;

/**
 * A reservations file that cannot be used. `issues` lists every problem
 * found, each with its line; the message shows them one per line.
 */
export class ReservationFileError extends Error {
  /** The file, when known. */
  readonly file: string | undefined;
  /** Every problem found, in file order. */
  readonly issues: readonly ReservationIssue[];

  /**
   * Create the error; the message lists the issues.
   *
   * @param issues The problems (at least one).
   * @param file The file's path, for messages.
   * @param options Error options (`cause`).
   */
  constructor(
    issues: readonly ReservationIssue[],
    file?: string,
    options?: ErrorOptions,
  ) {
    const count = issues.length === 1 ? "1 error" : `${issues.length} errors`;
    const lines = issues.slice(0, MESSAGE_ISSUES).map((i) =>
      "  " + formatIssue(i, file)
    );
    if (issues.length > MESSAGE_ISSUES) {
      lines.push(`  ... and ${issues.length - MESSAGE_ISSUES} more`);
    }
    super(
      `Cannot load reservations file ${file ?? "(text)"}: ${count}\n` +
        lines.join("\n"),
      options,
    );
    this.name = "ReservationFileError";
    this.file = file;
    this.issues = issues;
  }
}

/**
 * One issue as a line: `file:line: mac: field: message`.
 *
 * @param issue The issue.
 * @param file The file's path; omitted from the line when absent.
 * @returns For example
 * `hosts.yaml:4: 08:00:27:29:4e:67: ipAddress: "10.0.0.300" is not an IPv4 address`.
 */
export function formatIssue(issue: ReservationIssue, file?: string): string {
  const parts = [file ? `${file}:${issue.line}` : `line ${issue.line}`];
  if (issue.mac !== undefined) parts.push(issue.mac);
  if (issue.field !== undefined) parts.push(issue.field);
  parts.push(issue.message);
  return parts.join(": ");
}

/** Options of {@linkcode parseReservations}. */
export interface ParseReservationsOptions {
  /** The file's path, used in error messages. */
  file?: string;
  /**
   * Try the single-pass reader for the common shape of file first (plain
   * scalars, MAC keys in column 0); `false` reads with the general readers
   * only. Both give the same result.
   * @default {true}
   */
  fastReader?: boolean;
}

/**
 * Parse and validate the text of a reservations file.
 *
 * MAC keys are matched case-insensitively and may use `:` or `-`; field
 * names are matched case-insensitively, as Go's file backend does.
 *
 * @param text YAML or JSON.
 * @param options The file name for messages.
 * @returns The reservations by lower-case colon MAC.
 * @throws {ReservationFileError} listing every problem in the file: syntax
 * errors, bad addresses, non-contiguous masks, duplicate MACs, unknown
 * fields, wrong types, out-of-range lease times.
 *
 * @example
 * ```ts
 * import { parseReservations } from "./reservation_file.ts";
 * const map = parseReservations("08:00:27:29:4E:67:\n  ipAddress: 192.168.2.10\n");
 * if (map.get("08:00:27:29:4e:67")?.ipAddress !== "192.168.2.10") throw new Error();
 * ```
 */
export function parseReservations(
  text: string,
  options: ParseReservationsOptions = {},
): Map<string, Reservation> {
  const json = parseJsonFast(text);
  if (json === undefined) {
    if (options.fastReader !== false) {
      const fast = new FastHostReader(text);
      if (fast.read() === true) return fast.map;
    }
  } else {
    const fromJson = new HostReader();
    fromJson.addRoot(json);
    if (fromJson.issues.length === 0) return fromJson.map;
    // Problems: read it again as YAML below, for messages with lines.
  }
  let hosts = new HostReader();
  const fast = parseYamlSubset(text, (entry) => hosts.add(entry));
  let parsed: RawParseResult;
  if (fast) {
    parsed = { ok: true, root: fast.root };
  } else {
    hosts = new HostReader();
    parsed = parseYamlFull(text);
  }
  if (!parsed.ok) {
    throw new ReservationFileError(
      parsed.errors.map((e) => ({ line: e.line, message: e.message })),
      options.file,
    );
  }
  hosts.addRoot(parsed.root);
  return hosts.result(options.file);
}

/** Options of {@linkcode parseReservationsAsync}. */
export interface ParseReservationsAsyncOptions
  extends ParseReservationsOptions {
  /**
   * Hosts read between two yields to the event loop.
   * @default {500}
   */
  hostsPerSlice?: number;
}

/**
 * {@linkcode parseReservations}, yielding to the event loop every few
 * hundred hosts, so that a service keeps answering while a large file
 * loads. Same result, same errors.
 *
 * @param text YAML or JSON.
 * @param options The file name for messages, and the slice size.
 * @returns The reservations by lower-case colon MAC.
 * @throws {ReservationFileError} listing every problem in the file.
 *
 * @example
 * ```ts
 * import { parseReservationsAsync } from "./reservation_file.ts";
 * const map = await parseReservationsAsync("08:00:27:29:4e:67:\n  ipAddress: 192.168.2.10\n");
 * if (map.size !== 1) throw new Error();
 * ```
 */
export async function parseReservationsAsync(
  text: string,
  options: ParseReservationsAsyncOptions = {},
): Promise<Map<string, Reservation>> {
  const slice = options.hostsPerSlice ?? 500;
  const fast = new FastHostReader(text);
  while (options.fastReader !== false) {
    const done = fast.read(slice);
    if (done === true) return fast.map;
    if (done === undefined) break; // outside the common shape
    await turn();
  }
  const chunks = rootChunks(text, slice);
  if (chunks === undefined || chunks.length < 2) {
    return parseReservations(text, options);
  }
  const hosts = new HostReader();
  for (let i = 0; i < chunks.length; i++) {
    const end = i + 1 < chunks.length ? chunks[i + 1].start : text.length;
    const read = parseYamlSubset(
      text.slice(chunks[i].start, end),
      (entry) => hosts.add(entry),
      chunks[i].lineOffset,
    );
    if (read === undefined || (read.root && read.root.kind !== "map")) {
      return parseReservations(text, options); // outside the fast subset
    }
    await turn();
  }
  return hosts.result(options.file);
}

/**
 * Let the event loop handle I/O and timers. `setImmediate` rather than
 * `setTimeout(0)`, which browsers and Deno clamp to a few ms once nested:
 * 50 such yields added 130-150 ms to a 100,000-host reload.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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

  /** The document's root: a mapping whose entries were not streamed yet. */
  addRoot(root: RawNode | undefined): void {
    if (root === undefined || (root.kind === "scalar" && root.value === null)) {
      return;
    }
    if (root.kind !== "map") {
      this.issues.push({
        line: root.line,
        message: `expected a mapping of MAC addresses to hosts, got ${
          describe(root)
        }`,
      });
      return;
    }
    for (const entry of root.entries) this.add(entry);
  }

  /** The reservations, or the error listing every issue. */
  result(file: string | undefined): Map<string, Reservation> {
    if (this.issues.length > 0) {
      this.issues.sort((a, b) => a.line - b.line);
      throw new ReservationFileError(this.issues, file);
    }
    return this.map;
  }

  /** One `MAC: host` entry. */
  add(entry: RawEntry): void {
    const issues = this.issues;
    const mac = normalizeMac(entry.key);
    if (mac === undefined) {
      issues.push({
        line: entry.line,
        mac: entry.key,
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
 * Read, parse and validate a reservations file.
 *
 * @param path The file.
 * @returns The reservations by lower-case colon MAC.
 * @throws {ReservationFileError} when the file is invalid.
 * @throws {Deno.errors.NotFound} and other I/O errors when it cannot be read.
 */
export async function loadReservationFile(
  path: string,
): Promise<Map<string, Reservation>> {
  const text = await Deno.readTextFile(path);
  return parseReservationsAsync(text, { file: path });
}
