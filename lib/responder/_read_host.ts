/**
 * One host of a reservations file, validated field by field and mapped to a
 * {@linkcode Reservation}. A single pass over the host's entries with plain
 * property stores: this runs 100,000 times for a large file.
 *
 * @module
 */
import type {
  Reservation,
  ReservationExtensions,
} from "../backend/reservation.ts";
import type { RawNode } from "./_raw_tree.ts";
import {
  fieldIndex,
  HOST_FIELDS,
  HostChecker,
  NETBOOT_FIELDS,
  type ReservationIssue,
} from "./_host_fields.ts";
import { describe, shown } from "./_describe.ts";
import { closest } from "./_did_you_mean.ts";
import { share, type SharedStrings } from "./_shared_strings.ts";

type HostField = keyof typeof HOST_FIELDS;

const FIELD_NAMES = Object.keys(HOST_FIELDS) as HostField[];
const FIELD_BIT = Object.fromEntries(
  FIELD_NAMES.map((name, i) => [name, 1 << i]),
) as Record<HostField, number>;
const LOWER = fieldIndex(HOST_FIELDS);
function isEmpty(node: RawNode): boolean {
  return node.kind === "scalar" && (node.value === null || node.value === "");
}

/**
 * Validate one host and build its reservation.
 *
 * @param node The host's value in the file.
 * @param mac The normalised MAC address.
 * @param written The MAC address as written (for messages).
 * @param line The line of the MAC key.
 * @param issues Where problems are added.
 * @param shared Values shared across the hosts of one file.
 * @returns The reservation, or `undefined` when the host has problems.
 */
export function readHost(
  node: RawNode,
  mac: string,
  written: string,
  line: number,
  issues: ReservationIssue[],
  shared?: SharedStrings,
): Reservation | undefined {
  const c = new HostChecker(issues, written);
  const before = issues.length;
  if (node.kind !== "map") {
    const got = describe(node);
    return c.fail(line, undefined, `expected a mapping of fields, got ${got}`);
  }
  const r: Reservation = { macAddress: mac, ipAddress: "" };
  let ext: ReservationExtensions | undefined;
  let seen = 0;
  let ipNode: RawNode | undefined;
  for (const entry of node.entries) {
    const key = entry.key;
    const name =
      (Object.hasOwn(HOST_FIELDS, key) ? key : LOWER.get(key.toLowerCase())) as
        | HostField
        | undefined;
    if (name === undefined) {
      const hint = closest(key, FIELD_NAMES);
      c.fail(
        entry.line,
        shown(key),
        `unknown field${hint ? ` (did you mean "${hint}"?)` : ""}`,
      );
      continue;
    }
    const bit = FIELD_BIT[name];
    if (seen & bit) {
      const first = node.entries.find((e) =>
        e.key.toLowerCase() === name.toLowerCase()
      );
      c.fail(
        entry.line,
        name,
        `duplicate field (first set on line ${first?.line})`,
      );
      continue;
    }
    seen |= bit;
    const v = entry.value;
    switch (name) {
      case "ipAddress":
        ipNode = v;
        break;
      case "subnetMask": {
        const x = c.mask(v, name);
        if (x !== undefined) r.subnetMask = share(shared, x);
        break;
      }
      case "defaultGateway": {
        const x = c.ip(v, name);
        if (x !== undefined) r.defaultGateway = share(shared, x);
        break;
      }
      case "broadcastAddress": {
        const x = c.ip(v, name);
        if (x !== undefined) r.broadcastAddress = share(shared, x);
        break;
      }
      case "nameServers": {
        const x = c.list(v, name, (n, f) => share(shared, c.ip(n, f)));
        if (x !== undefined) r.nameServers = x;
        break;
      }
      case "ntpServers": {
        const x = c.list(v, name, (n, f) => share(shared, c.ip(n, f)));
        if (x !== undefined) r.ntpServers = x;
        break;
      }
      case "hostname": {
        const x = c.string(v, name);
        if (x !== undefined) r.hostname = x;
        break;
      }
      case "domainName": {
        const x = c.string(v, name);
        if (x !== undefined) r.domainName = share(shared, x);
        break;
      }
      case "domainSearch": {
        const x = c.list(v, name, (n, f) => share(shared, c.string(n, f)));
        if (x !== undefined) r.domainSearch = x;
        break;
      }
      case "leaseTime": {
        const x = c.seconds(v, name);
        if (x !== undefined) r.leaseTime = x;
        break;
      }
      case "netboot": {
        const script = readNetboot(c, v, r);
        if (script !== undefined) (ext ??= {}).ipxeScript = script;
        break;
      }
      case "classlessStaticRoutes": {
        const x = c.list(v, name, (n, f) => c.route(n, f));
        if (x !== undefined) (ext ??= {}).classlessStaticRoutes = x;
        break;
      }
      case "tftpServerName": {
        const x = c.string(v, name);
        if (x !== undefined) (ext ??= {}).tftpServerName = share(shared, x);
        break;
      }
      case "bootFileName": {
        const x = c.string(v, name);
        if (x !== undefined) (ext ??= {}).bootFileName = share(shared, x);
        break;
      }
      case "dhcpDisabled": {
        const x = c.bool(v, name);
        if (x !== undefined) (ext ??= {}).dhcpDisabled = x;
        break;
      }
    }
  }
  if (ipNode === undefined || isEmpty(ipNode)) {
    c.fail(ipNode?.line ?? line, "ipAddress", "missing");
  } else {
    r.ipAddress = c.ip(ipNode, "ipAddress") ?? "";
  }
  if (ext) r.extensions = ext;
  return issues.length === before ? r : undefined;
}

/**
 * The `netboot` mapping into `r.netboot`.
 * @returns The inline iPXE script, when the host has one.
 */
function readNetboot(
  c: HostChecker,
  node: RawNode,
  r: Reservation,
): string | undefined {
  if (node.kind !== "map") {
    if (isEmpty(node)) return undefined;
    return c.fail(
      node.line,
      "netboot",
      `expected a mapping with allowPxe, ipxeScriptUrl or ipxeScript, got ${
        describe(node)
      }`,
    );
  }
  const nb = c.fields(node, NETBOOT_FIELDS, "netboot.");
  const allowEntry = nb.get("allowPxe");
  const urlEntry = nb.get("ipxeScriptUrl");
  const scriptEntry = nb.get("ipxeScript");
  const allow = allowEntry && c.bool(allowEntry.value, "netboot.allowPxe");
  const url = urlEntry && c.url(urlEntry.value, "netboot.ipxeScriptUrl");
  r.netboot = { allowNetboot: allow ?? false };
  if (url !== undefined) r.netboot.ipxeScriptUrl = url;
  return scriptEntry && c.ipxeScript(scriptEntry.value, "netboot.ipxeScript");
}
