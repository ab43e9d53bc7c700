/**
 * Readers of the `Netboot` and `Extensions` objects of a v2 lookup reply.
 *
 * @module
 */
import type {
  ClasslessRoute,
  Reservation,
  ReservationExtensions,
} from "../backend/reservation.ts";
import { parseIpv4Cidr } from "../net/ipv4.ts";
import { InvalidReplyError } from "../backend/errors.ts";
import { fromGoUrl } from "./go_url.ts";
import {
  describe,
  ip,
  isObject,
  lowerKeys,
  skipped,
  str,
} from "./_reply_values.ts";

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

/**
 * Read a v2 reply's `Netboot` object; absent means netboot is not allowed.
 *
 * @throws {InvalidReplyError} When a field has the wrong type.
 */
export function decodeNetboot(value: unknown): Reservation["netboot"] {
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
  if (parseIpv4Cidr(destination) === undefined) {
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

/**
 * Read a v2 reply's `Extensions` object; unknown keys are ignored.
 *
 * @throws {InvalidReplyError} When a known field has the wrong type.
 */
export function decodeExtensions(
  value: unknown,
): ReservationExtensions | undefined {
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
      case "ipxescript":
        out.ipxeScript = str(v, field, "");
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
