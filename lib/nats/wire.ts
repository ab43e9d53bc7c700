/**
 * The lookup wire format shared with tinkerbell/dhcp's Go NATS backend (both
 * generations): the request `data` a DHCP server sends and the reply `data`
 * a responder sends back, inside CloudEvents.
 *
 * Request data: `{"MacAddress": "<base64 of the raw MAC bytes>",
 * "Traceparent": "<W3C trace context or empty>"}`.
 *
 * Reply data, v2: `{"DHCP": {...}, "Netboot": {...}, "Error": {...}}`; v1:
 * the `DHCP` object alone. Inside `DHCP` only the eleven Go fields appear,
 * addresses as strings, `LeaseTime` a number.
 *
 * ## Extensions
 *
 * Per-host settings beyond the Go contract travel in one extra top-level
 * object of a v2 reply, `Extensions`, which Go ignores (v1 replies cannot
 * carry it):
 *
 * ```json
 * "Extensions": {
 *   "ClasslessStaticRoutes": [{"Destination": "10.0.0.0/8", "Router": "192.168.2.254"}],
 *   "TFTPServerName": "192.168.2.5",
 *   "BootFileName": "ipxe.efi",
 *   "DHCPDisabled": false,
 *   "IPXEScript": "#!ipxe\nkernel http://192.168.2.5:8080/vmlinuz\nboot\n"
 * }
 * ```
 *
 * - `ClasslessStaticRoutes`: option 121 routes, destination in CIDR form.
 * - `TFTPServerName`: option 66, overrides the server's setting.
 * - `BootFileName`: option 67 and the `file` field, overrides the computed one.
 * - `DHCPDisabled`: `true` makes the server ignore this host.
 * - `IPXEScript`: an inline iPXE script for this host, served by the DHCP
 *   server role's built-in HTTP server (never inside `Netboot`, which Go
 *   decodes).
 *
 * Keys match case-insensitively on receipt; unknown keys inside `Extensions`
 * are ignored. The object is only written when one of them is set.
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";
import { macToBase64, parseWireMac } from "./addresses.ts";
import { type GoUrl, toGoUrl } from "./go_url.ts";

export { decodeLookupReply } from "./reply_decode.ts";
export type { DecodeLookupReplyOptions } from "./reply_decode.ts";

/** The NATS subject lookups go to by default. */
export const DEFAULT_SUBJECT = "tinkerbell.dhcp";
/** CloudEvent `type` of a lookup request. */
export const READ_EVENT_TYPE = "org.tinkerbell.backend.read";
/** CloudEvent `source` of a lookup request. */
export const EVENT_SOURCE = "/tinkerbell/dhcp";
/** Lease time used when a reservation has none: one day, in seconds. */
export const DEFAULT_LEASE_TIME = 86400;

// Most hosts share a handful of iPXE script URLs: remember their Go form.
const goUrls = new Map<string, GoUrl>();

function goUrlOf(url: string): GoUrl {
  let cached = goUrls.get(url);
  if (cached === undefined) {
    cached = toGoUrl(url);
    if (goUrls.size >= 256) goUrls.clear();
    goUrls.set(url, cached);
  }
  return { ...cached };
}

/** The reply generation: v1 sends the `DHCP` object alone, v2 wraps it. */
export type ReplyFormat = "v1" | "v2";

/** Request data as the Go server sends it. */
export interface LookupRequestData {
  /** Base64 of the raw MAC bytes. */
  MacAddress: string;
  /** W3C trace context, `""` when none. */
  Traceparent: string;
}

/**
 * Build the request `data` for one MAC.
 *
 * @param mac Colon hex, for example `08:00:27:29:4e:67`.
 * @param traceparent W3C trace context; `""` when absent.
 * @throws {TypeError} When `mac` is not colon hex.
 * @example
 * ```ts
 * import { encodeLookupRequest } from "./wire.ts";
 * const data = encodeLookupRequest("08:00:27:29:4e:67");
 * if (data.MacAddress !== "CAAnKU5n" || data.Traceparent !== "") throw new Error();
 * ```
 */
export function encodeLookupRequest(
  mac: string,
  traceparent?: string,
): LookupRequestData {
  return { MacAddress: macToBase64(mac), Traceparent: traceparent ?? "" };
}

/**
 * Read request `data` leniently: the MAC key in any case (`MacAddress`,
 * `MACAddress`, ...), its value base64 of the bytes or colon/dash hex.
 *
 * @param data The event's data.
 * @returns The MAC in lower-case colon hex and the trace context (`""` when none).
 * @throws {TypeError} When data is not an object or has no readable MAC.
 * @example
 * ```ts
 * import { decodeLookupRequest } from "./wire.ts";
 * const { mac } = decodeLookupRequest({ MACAddress: "CAAnKU5n" });
 * if (mac !== "08:00:27:29:4e:67") throw new Error();
 * ```
 */
export function decodeLookupRequest(
  data: unknown,
): { mac: string; traceparent: string } {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError(
      "Invalid lookup request: the data is not a JSON object",
    );
  }
  let mac: unknown;
  let traceparent: unknown;
  for (const key in data) {
    const value = (data as Record<string, unknown>)[key];
    const lower = key.toLowerCase();
    if (lower === "macaddress") mac = value;
    else if (lower === "traceparent") traceparent = value;
  }
  if (typeof mac !== "string" || mac === "") {
    throw new TypeError(
      "Invalid lookup request: MacAddress is missing or not a string",
    );
  }
  let parsed: string;
  try {
    parsed = parseWireMac(mac);
  } catch (cause) {
    throw new TypeError(
      `Invalid lookup request: MacAddress ${
        JSON.stringify(mac)
      } is neither base64 nor colon hex`,
      { cause },
    );
  }
  return {
    mac: parsed,
    traceparent: typeof traceparent === "string" ? traceparent : "",
  };
}

/** Options of {@linkcode encodeLookupReply}. */
export interface EncodeLookupReplyOptions {
  /**
   * `LeaseTime` written when the reservation has none. Go servers use the
   * value as is, and a lease of 0 makes clients loop; 0 writes 0 (our own
   * server then applies its configured default).
   * @default {86400}
   */
  defaultLeaseTime?: number;
}

function dhcpObject(
  r: Reservation,
  defaultLeaseTime: number,
): Record<string, unknown> {
  return {
    MACAddress: parseWireMac(r.macAddress),
    IPAddress: r.ipAddress,
    SubnetMask: r.subnetMask ?? "",
    DefaultGateway: r.defaultGateway ?? "",
    NameServers: r.nameServers?.length ? r.nameServers : null,
    Hostname: r.hostname ?? "",
    DomainName: r.domainName ?? "",
    BroadcastAddress: r.broadcastAddress ?? "",
    NTPServers: r.ntpServers?.length ? r.ntpServers : null,
    LeaseTime: r.leaseTime || defaultLeaseTime,
    DomainSearch: r.domainSearch?.length ? r.domainSearch : null,
  };
}

function extensionsObject(r: Reservation): Record<string, unknown> | undefined {
  const e = r.extensions;
  if (!e) return undefined;
  const out: Record<string, unknown> = {};
  if (e.classlessStaticRoutes?.length) {
    out.ClasslessStaticRoutes = e.classlessStaticRoutes.map((route) => ({
      Destination: route.destination,
      Router: route.router,
    }));
  }
  if (e.tftpServerName) out.TFTPServerName = e.tftpServerName;
  if (e.bootFileName) out.BootFileName = e.bootFileName;
  if (e.dhcpDisabled) out.DHCPDisabled = true;
  if (e.ipxeScript) out.IPXEScript = e.ipxeScript;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Build the reply `data` for a lookup.
 *
 * v2: `{DHCP, Netboot, Error}` plus `Extensions` when the reservation has
 * any; an unknown MAC (`undefined`) gives `Error: {Code: 404}`. v1: the
 * `DHCP` object alone; an unknown MAC gives `undefined`, meaning "send no
 * reply" (a v1 Go server has no way to say "not found").
 *
 * @param reservation The reservation, or `undefined` when the MAC is unknown.
 * @param format `v1` or `v2`.
 * @param options The lease time written when the reservation has none.
 * @returns The data to put in the reply event, or `undefined` for no reply.
 * @throws {TypeError} When the reservation's MAC or iPXE URL is malformed.
 * @example
 * ```ts
 * import { encodeLookupReply } from "./wire.ts";
 * const data = encodeLookupReply(
 *   { macAddress: "08:00:27:29:4e:67", ipAddress: "192.168.2.153" },
 *   "v2",
 * ) as { DHCP: { LeaseTime: number } };
 * if (data.DHCP.LeaseTime !== 86400) throw new Error();
 * ```
 */
export function encodeLookupReply(
  reservation: Reservation | undefined,
  format: ReplyFormat,
  options: EncodeLookupReplyOptions = {},
): unknown | undefined {
  if (reservation === undefined) {
    return format === "v1"
      ? undefined
      : encodeLookupError(404, "no reservation for this MAC address");
  }
  const dhcp = dhcpObject(
    reservation,
    options.defaultLeaseTime ?? DEFAULT_LEASE_TIME,
  );
  if (format === "v1") return dhcp;
  const url = reservation.netboot?.ipxeScriptUrl;
  const out: Record<string, unknown> = {
    DHCP: dhcp,
    Netboot: {
      AllowNetboot: reservation.netboot?.allowNetboot ?? false,
      IPXEScriptURL: url ? goUrlOf(url) : null,
    },
    Error: { Code: 0, Message: "" },
  };
  const extensions = extensionsObject(reservation);
  if (extensions) out.Extensions = extensions;
  return out;
}

/**
 * Build a v2 reply that reports an error: 404 for "not found", anything else
 * for a backend failure. A Go server drops the packet on either.
 *
 * @param code 404, or another code for a backend failure.
 * @param message A non-empty description (Go treats an empty one as success).
 * @example
 * ```ts
 * import { encodeLookupError } from "./wire.ts";
 * const data = encodeLookupError(500, "store unavailable") as { Error: { Code: number } };
 * if (data.Error.Code !== 500) throw new Error();
 * ```
 */
export function encodeLookupError(code: number, message: string): unknown {
  return {
    DHCP: {},
    Netboot: {},
    Error: { Code: code, Message: message || `error ${code}` },
  };
}
