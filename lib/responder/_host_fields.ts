/**
 * Validation of one host's fields in a reservations file, and their mapping
 * to a {@linkcode Reservation}. Every problem is collected, none thrown.
 *
 * @module
 */
import type { ClasslessRoute } from "../backend/reservation.ts";
import type { RawEntry, RawNode } from "./_raw_tree.ts";
import { closest } from "./_did_you_mean.ts";
import { describe, shown } from "./_describe.ts";
import {
  ipv4FromNumber,
  ipv4ToNumber,
  isIpv4,
  isIpv4Mask,
  parseIpv4Cidr,
} from "../net/ipv4.ts";

/** One problem found in a reservations file. */
export interface ReservationIssue {
  /** Line, 1-based; 0 when the source has no lines (a KV value). */
  line: number;
  /** Where the host came from, when not the file being read. */
  source?: string;
  /** The host's MAC address as written, when the problem is inside a host. */
  mac?: string;
  /** The field, for example `nameServers[1]` or `netboot.allowPxe`. */
  field?: string;
  /** What is wrong, for example `"192.168.2.300" is not an IPv4 address`. */
  message: string;
}

/** The fields of a host, as written in the file, by kind. */
export const HOST_FIELDS = {
  ipAddress: "ip",
  subnetMask: "mask",
  defaultGateway: "ip",
  nameServers: "ipList",
  hostname: "string",
  domainName: "string",
  broadcastAddress: "ip",
  ntpServers: "ipList",
  leaseTime: "seconds",
  domainSearch: "stringList",
  netboot: "netboot",
  classlessStaticRoutes: "routes",
  tftpServerName: "string",
  bootFileName: "string",
  dhcpDisabled: "bool",
} as const;
/** The fields of a host's `netboot` mapping. */
export const NETBOOT_FIELDS = {
  allowPxe: "bool",
  ipxeScriptUrl: "url",
  ipxeScript: "ipxeScript",
} as const;
/** Longest inline iPXE script (`netboot.ipxeScript`), in bytes. */
export const MAX_IPXE_SCRIPT_BYTES = 64 * 1024;
const ROUTE_FIELDS = { destination: "cidr", router: "ip" } as const;

/** `nameServers[0]` ... built once, not per host. */
const LIST_ITEM_NAMES: Record<string, string[]> = Object.fromEntries(
  ["nameServers", "ntpServers", "domainSearch", "classlessStaticRoutes"].map(
    (f) => [f, Array.from({ length: 16 }, (_, i) => `${f}[${i}]`)],
  ),
);

const UINT32_MAX = 4294967295;

const indexes = new Map<object, Map<string, string>>();

/** Lower-case field name to field name, for case-insensitive keys (as Go). */
export function fieldIndex(table: Record<string, string>): Map<string, string> {
  let index = indexes.get(table);
  if (!index) {
    index = new Map(Object.keys(table).map((n) => [n.toLowerCase(), n]));
    indexes.set(table, index);
  }
  return index;
}

/** Collects issues for one host. */
export class HostChecker {
  /** Collect into `issues`, naming the host `mac` as written. */
  constructor(
    readonly issues: ReservationIssue[],
    readonly mac: string,
  ) {}

  /** Record a problem; returns `undefined` for the caller to return. */
  fail(line: number, field: string | undefined, message: string): undefined {
    this.issues.push({ line, mac: this.mac, field, message });
    return undefined;
  }

  /** The entries of a mapping, keyed by canonical field name. */
  fields<T extends Record<string, string>>(
    node: RawNode,
    table: T,
    prefix: string,
  ): Map<keyof T & string, RawEntry> {
    const found = new Map<keyof T & string, RawEntry>();
    if (node.kind !== "map") return found;
    const index = fieldIndex(table);
    for (const entry of node.entries) {
      const name = (Object.hasOwn(table, entry.key) ? entry.key : index.get(
        entry.key.toLowerCase(),
      )) as (keyof T & string) | undefined;
      if (name === undefined) {
        const hint = closest(entry.key, Object.keys(table));
        this.fail(
          entry.line,
          prefix + shown(entry.key),
          `unknown field${hint ? ` (did you mean "${prefix}${hint}"?)` : ""}`,
        );
        continue;
      }
      const first = found.get(name);
      if (first) {
        this.fail(
          entry.line,
          prefix + name,
          `duplicate field (first set on line ${first.line})`,
        );
        continue;
      }
      found.set(name, entry);
    }
    return found;
  }

  /** A string; null and "" mean absent. */
  string(node: RawNode, field: string): string | undefined {
    if (node.kind === "scalar") {
      if (node.value === null || node.value === "") return undefined;
      if (typeof node.value === "string") return node.value;
    }
    const hint = node.kind === "scalar" ? " (quote the value)" : "";
    return this.fail(
      node.line,
      field,
      `expected a string, got ${describe(node)}${hint}`,
    );
  }

  /** A dotted-quad IPv4 address. */
  ip(node: RawNode, field: string): string | undefined {
    const text = this.string(node, field);
    if (text === undefined || isIpv4(text)) return text;
    return this.fail(node.line, field, `"${text}" is not an IPv4 address`);
  }

  /** A subnet mask with contiguous one bits. */
  mask(node: RawNode, field: string): string | undefined {
    const text = this.ip(node, field);
    if (text === undefined || isIpv4Mask(text)) return text;
    return this.fail(
      node.line,
      field,
      `"${text}" is not a subnet mask (its one bits must be contiguous)`,
    );
  }

  /** A list, each item read by `item`; null means absent. */
  list<T>(
    node: RawNode,
    field: string,
    item: (n: RawNode, f: string) => T | undefined,
  ): T[] | undefined {
    if (node.kind === "scalar" && node.value === null) return undefined;
    if (node.kind !== "seq") {
      return this.fail(
        node.line,
        field,
        `expected a list, got ${describe(node)}`,
      );
    }
    const out: T[] = [];
    const names = LIST_ITEM_NAMES[field];
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const value = item(items[i], names?.[i] ?? `${field}[${i}]`);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  /** `true` or `false`. */
  bool(node: RawNode, field: string): boolean | undefined {
    if (node.kind === "scalar") {
      if (node.value === null) return undefined;
      if (typeof node.value === "boolean") return node.value;
    }
    return this.fail(
      node.line,
      field,
      `expected true or false, got ${describe(node)}`,
    );
  }

  /** A whole number of seconds that fits in 32 bits. */
  seconds(node: RawNode, field: string): number | undefined {
    if (node.kind === "scalar" && node.value === null) return undefined;
    if (node.kind !== "scalar" || typeof node.value !== "number") {
      return this.fail(
        node.line,
        field,
        `expected a number of seconds, got ${describe(node)}`,
      );
    }
    const v = node.value;
    if (!Number.isInteger(v)) {
      return this.fail(node.line, field, `${v} is not a whole number`);
    }
    if (v < 0 || v > UINT32_MAX) {
      return this.fail(
        node.line,
        field,
        `${v} is out of range (0 to ${UINT32_MAX} seconds)`,
      );
    }
    return v;
  }

  /** An absolute URL. */
  url(node: RawNode, field: string): string | undefined {
    const text = this.string(node, field);
    if (text === undefined || URL.canParse(text)) return text;
    return this.fail(node.line, field, `"${text}" is not an absolute URL`);
  }

  /** An inline iPXE script: `#!ipxe` first, at most 64 KiB. */
  ipxeScript(node: RawNode, field: string): string | undefined {
    const text = this.string(node, field);
    if (text === undefined) return undefined;
    if (!text.startsWith("#!ipxe")) {
      return this.fail(
        node.line,
        field,
        'expected an iPXE script, whose first line is "#!ipxe"',
      );
    }
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_IPXE_SCRIPT_BYTES) {
      return this.fail(
        node.line,
        field,
        `the script has ${bytes} bytes, more than ${MAX_IPXE_SCRIPT_BYTES}`,
      );
    }
    return text;
  }

  /** A network in CIDR form without host bits. */
  cidr(node: RawNode, field: string): string | undefined {
    const text = this.string(node, field);
    if (text === undefined) return undefined;
    const cidr = parseIpv4Cidr(text);
    if (cidr === undefined) {
      return this.fail(
        node.line,
        field,
        `"${text}" is not a network in CIDR form (like 10.0.0.0/8)`,
      );
    }
    const prefix = cidr.prefixLength;
    const address = ipv4ToNumber(cidr.address);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (address & mask) >>> 0;
    if (network !== address) {
      return this.fail(
        node.line,
        field,
        `"${text}" has host bits set (did you mean "${
          ipv4FromNumber(network)
        }/${prefix}"?)`,
      );
    }
    return text;
  }

  /** A classless static route: destination and router. */
  route(node: RawNode, field: string): ClasslessRoute | undefined {
    if (node.kind !== "map") {
      return this.fail(
        node.line,
        field,
        `expected a mapping with destination and router, got ${describe(node)}`,
      );
    }
    const f = this.fields(node, ROUTE_FIELDS, `${field}.`);
    const dest = f.get("destination");
    const router = f.get("router");
    const destination = dest && this.cidr(dest.value, `${field}.destination`);
    const via = router && this.ip(router.value, `${field}.router`);
    if (!dest || !router) {
      const missing = !dest ? "destination" : "router";
      return this.fail(node.line, `${field}.${missing}`, "missing");
    }
    if (destination === undefined || via === undefined) return undefined;
    return { destination, router: via };
  }
}
