/**
 * A reservation written back as one host of the reservations file: the
 * value of a key in a KV bucket, and one entry of `kv export`'s YAML. What
 * this writes, the file's reader reads back to the same reservation.
 *
 * @module
 */
import type { Reservation } from "../../backend/reservation.ts";

/** One host as the reservations file writes it (field names of the file). */
export type HostValue = Record<string, unknown>;

/**
 * Write a reservation as the fields of one host of the reservations file.
 * Absent fields stay absent; the MAC is the key, not a field.
 *
 * @param reservation The reservation.
 * @returns The host's fields, ready for `JSON.stringify` or YAML.
 *
 * @example
 * ```ts
 * import { hostValue } from "./host_value.ts";
 * const v = hostValue({ macAddress: "08:00:27:29:4e:67", ipAddress: "192.168.2.10" });
 * if (JSON.stringify(v) !== '{"ipAddress":"192.168.2.10"}') throw new Error();
 * ```
 */
export function hostValue(reservation: Reservation): HostValue {
  const r = reservation;
  const out: HostValue = { ipAddress: r.ipAddress };
  const put = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = value;
  };
  put("subnetMask", r.subnetMask);
  put("defaultGateway", r.defaultGateway);
  put("nameServers", r.nameServers);
  put("hostname", r.hostname);
  put("domainName", r.domainName);
  put("broadcastAddress", r.broadcastAddress);
  put("ntpServers", r.ntpServers);
  put("leaseTime", r.leaseTime);
  put("domainSearch", r.domainSearch);
  if (r.netboot !== undefined) {
    const netboot: HostValue = { allowPxe: r.netboot.allowNetboot };
    if (r.netboot.ipxeScriptUrl !== undefined) {
      netboot.ipxeScriptUrl = r.netboot.ipxeScriptUrl;
    }
    if (r.extensions?.ipxeScript !== undefined) {
      netboot.ipxeScript = r.extensions.ipxeScript;
    }
    out.netboot = netboot;
  }
  const x = r.extensions;
  put(
    "classlessStaticRoutes",
    x?.classlessStaticRoutes?.map((route) => ({
      destination: route.destination,
      router: route.router,
    })),
  );
  put("tftpServerName", x?.tftpServerName);
  put("bootFileName", x?.bootFileName);
  put("dhcpDisabled", x?.dhcpDisabled);
  return out;
}
