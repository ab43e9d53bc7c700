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
import type { Reservation } from "../backend/reservation.ts";
import { parseMask, parseWireMac } from "./addresses.ts";
import { BackendError, InvalidReplyError } from "../backend/errors.ts";
import { decodeExtensions, decodeNetboot } from "./_reply_netboot.ts";
import {
  describe,
  ip,
  isObject,
  type JsonObject,
  list,
  lowerKeys,
  skipped,
  str,
  where,
} from "./_reply_values.ts";

/** Options of {@linkcode decodeLookupReply}. */
export interface DecodeLookupReplyOptions {
  /**
   * Lease time in seconds used when the reply has none or 0.
   * @default {86400}
   */
  defaultLeaseTime?: number;
}

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
          r.macAddress = parseWireMac(str(value, prefix, name));
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
