/**
 * Lenient reading of lookup reply data, v1 or v2, as our DHCP server accepts
 * it (see the wire format's "What our DHCP server accepts").
 *
 * - v2 when a top-level key matches `DHCP` case-insensitively, else v1 (the
 *   data is the `DHCP` object itself, netboot allowed).
 * - Keys in any case; `null` and `""` skipped; MAC colon hex or base64; mask
 *   dotted or base64 (4 or 16 bytes); `IPXEScriptURL` a string or Go's
 *   `url.URL` object; `LeaseTime` missing or 0 becomes the default.
 * - An unknown key inside the `DHCP` object is rejected, as Go rejects it,
 *   in both generations: a v1 reply with a stray key is a broken responder.
 * - `Error.Code` 404 means "not found" (`undefined`); any other non-zero
 *   code, or code 0 with a message, is a {@linkcode BackendError}.
 *
 * @module
 */
import type {
  ClasslessRoute,
  Reservation,
  ReservationExtensions,
} from "../backend/reservation.ts";
import { isIPv4, parseMac, parseMask } from "./addresses.ts";
import { BackendError, InvalidReplyError } from "./errors.ts";
import { fromGoUrl } from "./go_url.ts";

/** Options of {@linkcode decodeLookupReply}. */
export interface DecodeLookupReplyOptions {
  /**
   * Lease time in seconds used when the reply has none or 0.
   * @default {86400}
   */
  defaultLeaseTime?: number;
}

type JsonObject = Record<string, unknown>;

const DHCP_KEYS = {
  macaddress: "MACAddress",
  ipaddress: "IPAddress",
  subnetmask: "SubnetMask",
  defaultgateway: "DefaultGateway",
  nameservers: "NameServers",
  hostname: "Hostname",
  domainname: "DomainName",
  broadcastaddress: "BroadcastAddress",
  ntpservers: "NTPServers",
  leasetime: "LeaseTime",
  domainsearch: "DomainSearch",
} as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Index an object by lower-cased key; later duplicates win. */
function lowerKeys(object: JsonObject): Map<string, [string, unknown]> {
  const map = new Map<string, [string, unknown]>();
  for (const key in object) {
    const value = (object as Record<string, unknown>)[key];
    map.set(key.toLowerCase(), [key, value]);
  }
  return map;
}

/** A value that Go skips: absent, null or "". */
function skipped(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** A field's name for a message; built only when something is wrong. */
function where(prefix: string, name: string, index: number): string {
  return index < 0 ? `${prefix}${name}` : `${prefix}${name}[${index}]`;
}

function str(value: unknown, prefix: string, name: string, index = -1): string {
  if (typeof value !== "string") {
    throw new InvalidReplyError(
      where(prefix, name, index),
      `is ${describe(value)}, want a string`,
    );
  }
  return value;
}

function ip(value: unknown, prefix: string, name: string, index = -1): string {
  const text = str(value, prefix, name, index);
  if (!isIPv4(text)) {
    throw new InvalidReplyError(
      where(prefix, name, index),
      `${JSON.stringify(text)} is not a dotted-quad IPv4 address`,
    );
  }
  return text;
}

function list(
  value: unknown,
  prefix: string,
  name: string,
  item: (v: unknown, prefix: string, name: string, index: number) => string,
): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidReplyError(
      where(prefix, name, -1),
      `is ${describe(value)}, want an array`,
    );
  }
  const out = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    out[i] = item(value[i], prefix, name, i);
  }
  return out;
}

function leaseTime(value: unknown, fallback: number): number {
  if (typeof value !== "number") {
    throw new InvalidReplyError(
      "DHCP.LeaseTime",
      `is ${describe(value)}, want a number`,
    );
  }
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidReplyError(
      "DHCP.LeaseTime",
      `${value} is not a uint32 number of seconds`,
    );
  }
  return value === 0 ? fallback : value;
}

function decodeDhcp(
  dhcp: JsonObject,
  prefix: string,
  fallbackLease: number,
): Reservation {
  const r: Partial<Reservation> = {};
  for (const key in dhcp) {
    const value = (dhcp as Record<string, unknown>)[key];
    const name = DHCP_KEYS[key.toLowerCase() as keyof typeof DHCP_KEYS];
    if (name === undefined) {
      throw new InvalidReplyError(
        `${prefix}${key}`,
        `is not a known DHCP field (Go rejects unknown keys here)`,
      );
    }
    if (skipped(value)) continue;
    switch (name) {
      case "MACAddress":
        try {
          r.macAddress = parseMac(str(value, prefix, name));
        } catch (cause) {
          if (cause instanceof InvalidReplyError) throw cause;
          throw new InvalidReplyError(
            where(prefix, name, -1),
            `${JSON.stringify(value)} is neither colon hex nor base64`,
            { cause },
          );
        }
        break;
      case "IPAddress":
        r.ipAddress = ip(value, prefix, name);
        break;
      case "SubnetMask":
        try {
          r.subnetMask = parseMask(str(value, prefix, name));
        } catch (cause) {
          if (cause instanceof InvalidReplyError) throw cause;
          throw new InvalidReplyError(
            where(prefix, name, -1),
            `${
              JSON.stringify(value)
            } is neither a dotted mask nor base64 of 4 or 16 bytes`,
            { cause },
          );
        }
        break;
      case "DefaultGateway":
        r.defaultGateway = ip(value, prefix, name);
        break;
      case "BroadcastAddress":
        r.broadcastAddress = ip(value, prefix, name);
        break;
      case "NameServers":
        r.nameServers = list(value, prefix, name, ip);
        break;
      case "NTPServers":
        r.ntpServers = list(value, prefix, name, ip);
        break;
      case "DomainSearch":
        r.domainSearch = list(value, prefix, name, str);
        break;
      case "Hostname":
        r.hostname = str(value, prefix, name);
        break;
      case "DomainName":
        r.domainName = str(value, prefix, name);
        break;
      case "LeaseTime":
        r.leaseTime = leaseTime(value, fallbackLease);
        break;
    }
  }
  if (r.ipAddress === undefined) {
    throw new InvalidReplyError(`${prefix}IPAddress`, "is missing");
  }
  r.leaseTime ??= fallbackLease;
  r.macAddress ??= "";
  return r as Reservation;
}

function decodeUrl(value: unknown): string | undefined {
  const field = "Netboot.IPXEScriptURL";
  if (skipped(value)) return undefined;
  if (typeof value === "string") {
    if (!URL.canParse(value)) {
      throw new InvalidReplyError(
        field,
        `${JSON.stringify(value)} is not a URL`,
      );
    }
    return value;
  }
  if (!isObject(value)) {
    throw new InvalidReplyError(
      field,
      `is ${describe(value)}, want a URL string or Go url.URL object`,
    );
  }
  try {
    return fromGoUrl(value);
  } catch (cause) {
    throw new InvalidReplyError(field, (cause as Error).message, { cause });
  }
}

function decodeNetboot(value: unknown): Reservation["netboot"] {
  if (skipped(value)) return { allowNetboot: false };
  if (!isObject(value)) {
    throw new InvalidReplyError(
      "Netboot",
      `is ${describe(value)}, want an object`,
    );
  }
  const keys = lowerKeys(value);
  const allow = keys.get("allownetboot")?.[1] ?? false;
  if (typeof allow !== "boolean") {
    throw new InvalidReplyError(
      "Netboot.AllowNetboot",
      `is ${describe(allow)}, want a boolean`,
    );
  }
  const url = decodeUrl(keys.get("ipxescripturl")?.[1]);
  return url === undefined
    ? { allowNetboot: allow }
    : { allowNetboot: allow, ipxeScriptUrl: url };
}

function decodeRoute(value: unknown, field: string): ClasslessRoute {
  if (!isObject(value)) {
    throw new InvalidReplyError(field, `is ${describe(value)}, want an object`);
  }
  const keys = lowerKeys(value);
  const destination = str(keys.get("destination")?.[1], field, ".Destination");
  const m = /^(.+)\/(\d{1,2})$/.exec(destination);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) {
    throw new InvalidReplyError(
      `${field}.Destination`,
      `${JSON.stringify(destination)} is not an IPv4 CIDR`,
    );
  }
  return {
    destination,
    router: ip(keys.get("router")?.[1], field, ".Router"),
  };
}

function decodeExtensions(value: unknown): ReservationExtensions | undefined {
  if (skipped(value)) return undefined;
  if (!isObject(value)) {
    throw new InvalidReplyError(
      "Extensions",
      `is ${describe(value)}, want an object`,
    );
  }
  const out: ReservationExtensions = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (skipped(v)) continue;
    const field = `Extensions.${key}`;
    switch (key.toLowerCase()) {
      case "classlessstaticroutes":
        if (!Array.isArray(v)) {
          throw new InvalidReplyError(
            field,
            `is ${describe(v)}, want an array`,
          );
        }
        out.classlessStaticRoutes = v.map((r, i) =>
          decodeRoute(r, `${field}[${i}]`)
        );
        break;
      case "tftpservername":
        out.tftpServerName = str(v, field, "");
        break;
      case "bootfilename":
        out.bootFileName = str(v, field, "");
        break;
      case "dhcpdisabled":
        if (typeof v !== "boolean") {
          throw new InvalidReplyError(
            field,
            `is ${describe(v)}, want a boolean`,
          );
        }
        if (v) out.dhcpDisabled = true;
        break;
      default: // unknown keys: a newer responder; ignore them
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function checkError(value: unknown): "ok" | "not-found" {
  if (skipped(value)) return "ok";
  if (!isObject(value)) {
    throw new InvalidReplyError(
      "Error",
      `is ${describe(value)}, want an object`,
    );
  }
  const keys = lowerKeys(value);
  const rawCode = keys.get("code")?.[1] ?? 0;
  const rawMessage = keys.get("message")?.[1] ?? "";
  const code = typeof rawCode === "string" && /^\d+$/.test(rawCode)
    ? Number(rawCode)
    : rawCode;
  if (typeof code !== "number" || !Number.isInteger(code)) {
    throw new InvalidReplyError(
      "Error.Code",
      `is ${describe(rawCode)}, want an integer`,
    );
  }
  const message = typeof rawMessage === "string" ? rawMessage : "";
  if (code === 404) return "not-found";
  if (code !== 0 || message !== "") throw new BackendError(code, message);
  return "ok";
}

/**
 * Read lookup reply data (v1 or v2) into a reservation.
 *
 * @param data The reply event's data.
 * @param options The default lease time.
 * @returns The reservation (its `macAddress` is `""` when the reply has
 *   none), or `undefined` when the reply says 404.
 * @throws {InvalidReplyError} When the data is malformed; names the field.
 * @throws {BackendError} When a v2 reply reports another error.
 * @example
 * ```ts
 * import { decodeLookupReply } from "./reply_decode.ts";
 * const r = decodeLookupReply({ macaddress: "CAAnKU5n", ipaddress: "192.168.2.153" });
 * if (r?.leaseTime !== 86400 || r.netboot?.allowNetboot !== true) throw new Error();
 * ```
 */
export function decodeLookupReply(
  data: unknown,
  options: DecodeLookupReplyOptions = {},
): Reservation | undefined {
  const fallbackLease = options.defaultLeaseTime ?? 86400;
  if (!isObject(data)) {
    throw new InvalidReplyError("", `is ${describe(data)}, want a JSON object`);
  }
  const keys = lowerKeys(data);
  const dhcp = keys.get("dhcp");
  if (dhcp === undefined) {
    const r = decodeDhcp(data, "DHCP.", fallbackLease);
    r.netboot = { allowNetboot: true };
    return r;
  }
  if (checkError(keys.get("error")?.[1]) === "not-found") return undefined;
  if (!isObject(dhcp[1])) {
    throw new InvalidReplyError(
      dhcp[0],
      `is ${describe(dhcp[1])}, want an object`,
    );
  }
  const r = decodeDhcp(dhcp[1], `${dhcp[0]}.`, fallbackLease);
  r.netboot = decodeNetboot(keys.get("netboot")?.[1]);
  const extensions = decodeExtensions(keys.get("extensions")?.[1]);
  if (extensions) r.extensions = extensions;
  return r;
}
