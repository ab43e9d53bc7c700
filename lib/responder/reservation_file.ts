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
 *     # or, inline: ipxeScript: "#!ipxe\nchain http://boot.example.com/x\n"
 *   classlessStaticRoutes:
 *     - destination: 10.0.0.0/8
 *       router: 192.168.2.1
 *   tftpServerName: 192.168.2.5
 *   bootFileName: ipxe.efi
 *   dhcpDisabled: false
 * ```
 *
 * Hosts may share settings with YAML merge keys (`<<: *base`). Read with
 * the `yaml` package (YAML 1.2; JSON through `JSON.parse` when valid), in
 * a Worker for files, with explicit limits on size, hosts, nesting and
 * alias expansion.
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import type { ReservationIssue } from "./_host_fields.ts";
import { readPlainHost, readReservationText } from "./_reader.ts";
import { readInWorker } from "./_worker_client.ts";

export type { ReservationIssue };
export { MAX_FILE_BYTES, MAX_HOSTS } from "./_reader.ts";
export { MAX_DEPTH } from "./_yaml_tree.ts";

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
 * @param file The file's path; omitted from the line when absent. An
 * issue's own `source` (a KV entry) takes its place, and line 0 (no lines
 * in that source) is left out.
 * @returns For example
 * `hosts.yaml:4: 08:00:27:29:4e:67: ipAddress: "10.0.0.300" is not an IPv4 address`.
 */
export function formatIssue(issue: ReservationIssue, file?: string): string {
  const where = issue.source ?? file;
  const parts = [
    issue.line === 0
      ? where ?? "(value)"
      : where
      ? `${where}:${issue.line}`
      : `line ${issue.line}`,
  ];
  if (issue.mac !== undefined) parts.push(issue.mac);
  if (issue.field !== undefined) parts.push(issue.field);
  parts.push(issue.message);
  return parts.join(": ");
}

/** Options of {@linkcode parseReservations}. */
export interface ParseReservationsOptions {
  /** The file's path, used in error messages. */
  file?: string;
}

/**
 * Parse and validate the text of a reservations file, on this thread.
 *
 * MAC keys are matched case-insensitively and may use `:` or `-`; field
 * names are matched case-insensitively, as Go's file backend does.
 *
 * @param text YAML or JSON.
 * @param options The file name for messages.
 * @returns The reservations by lower-case colon MAC.
 * @throws {ReservationFileError} listing every problem in the file: syntax
 * errors, bad addresses, non-contiguous masks, duplicate MACs, unknown
 * fields, wrong types, out-of-range lease times, undefined or cyclic
 * aliases, resource limits.
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
  const { map, issues } = readReservationText(text);
  if (issues.length > 0) throw new ReservationFileError(issues, options.file);
  return map;
}

/** Options of {@linkcode parseReservationsAsync}. */
export type ParseReservationsAsyncOptions = ParseReservationsOptions;

/**
 * {@linkcode parseReservations} in a Worker, so that a service keeps
 * answering while a large file is parsed. Same result, same errors.
 *
 * @param text YAML or JSON.
 * @param options The file name for messages.
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
  const { map, issues } = await readInWorker({ text });
  if (issues.length > 0) throw new ReservationFileError(issues, options.file);
  return map;
}

/** A file's reservations and the digest that identifies its content. */
export interface LoadedReservations {
  /** The reservations by lower-case colon MAC. */
  map: Map<string, Reservation>;
  /** SHA-256 of the file, hex: a reload of the same content is skipped. */
  digest: string;
}

/**
 * Read, parse and validate a reservations file in a Worker, with the
 * digest of its content.
 *
 * @param path The file.
 * @returns The reservations and the file's digest.
 * @throws {ReservationFileError} when the file is invalid.
 * @throws {Deno.errors.NotFound} and other I/O errors when it cannot be read.
 */
export async function loadReservations(
  path: string,
): Promise<LoadedReservations> {
  const { map, issues, digest } = await readInWorker({ path });
  if (issues.length > 0) throw new ReservationFileError(issues, path);
  return { map, digest };
}

/**
 * Read, parse and validate a reservations file (in a Worker).
 *
 * @param path The file.
 * @returns The reservations by lower-case colon MAC.
 * @throws {ReservationFileError} when the file is invalid.
 * @throws {Deno.errors.NotFound} and other I/O errors when it cannot be read.
 *
 * @example
 * ```ts ignore
 * const map = await loadReservationFile("examples/reservations.yaml");
 * ```
 */
export async function loadReservationFile(
  path: string,
): Promise<Map<string, Reservation>> {
  return (await loadReservations(path)).map;
}

/**
 * Validate ONE host's value as `JSON.parse` gives it (a KV entry, say), by
 * the field table and rules of the reservations file.
 *
 * @param mac The MAC key as written (normalised here).
 * @param value The host's value.
 * @param source Where it came from, for messages (for example
 * `kv bucket/08-00-27-29-4e-67`); set as each issue's `source`.
 * @returns The reservation and no issues, or the issues (line 0) and no
 * reservation.
 *
 * @example
 * ```ts
 * import { formatIssue, readHostValue } from "./reservation_file.ts";
 * const ok = readHostValue("08-00-27-29-4E-67", { ipAddress: "10.0.0.5" }, "kv hosts/08-00-27-29-4e-67");
 * if (ok.reservation?.macAddress !== "08:00:27:29:4e:67") throw new Error();
 * const bad = readHostValue("08-00-27-29-4E-67", { ipAddress: "10.0.0.500" }, "kv hosts/08-00-27-29-4e-67");
 * if (formatIssue(bad.issues[0]) !== 'kv hosts/08-00-27-29-4e-67: 08-00-27-29-4E-67: ipAddress: "10.0.0.500" is not an IPv4 address') throw new Error();
 * ```
 */
export function readHostValue(
  mac: string,
  value: unknown,
  source: string,
):
  | { reservation: Reservation; issues: [] }
  | { reservation?: undefined; issues: ReservationIssue[] } {
  const { map, issues } = readPlainHost(mac, value, source);
  if (issues.length > 0) return { issues };
  const [reservation] = map.values();
  return { reservation, issues: [] };
}
