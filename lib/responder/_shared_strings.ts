/**
 * Values repeated across hosts (masks, gateways, name servers, domains)
 * stored once: fewer live strings for a large table, less for the GC to
 * do. A table that came from the reader Worker arrives with a copy of
 * every string per host (structured clone does not share strings), so the
 * main thread shares them again as it takes the hosts in, whole lists and
 * netboot settings too: for the 100,000-host bench file, 558 heap
 * bytes/host without, 382 sharing strings, 262 sharing lists and netboot
 * settings as well (bench/reload_bench.ts).
 *
 * @module
 */
import type { Reservation } from "../backend/reservation.ts";

/** Distinct values kept for sharing; beyond this, values are not shared. */
const MAX_SHARED = 4096;

/** The values seen so far, each the one copy to use. */
export type SharedStrings = Map<string, string>;

/**
 * Lists and netboot settings repeated across hosts, by content; shared
 * ones are frozen, so that no caller can change one host's data through
 * another's.
 */
export type SharedObjects = Map<string, object>;

/** The shared copy of `value` (strings only; anything else as it is). */
export function share<T>(shared: SharedStrings | undefined, value: T): T {
  if (shared === undefined || typeof value !== "string") return value;
  const known = shared.get(value);
  if (known !== undefined) return known as T;
  if (shared.size < MAX_SHARED) shared.set(value, value);
  return value;
}

/**
 * Share the repeated values of a reservation that was copied from the
 * Worker, in place: strings, and whole lists and netboot settings (frozen
 * when shared); its MAC becomes the table key's string.
 *
 * @param mac The table key (the same MAC).
 * @param r The reservation.
 * @param shared The strings of this table.
 * @param objects The lists and netboot settings of this table.
 */
export function shareReservation(
  mac: string,
  r: Reservation,
  shared: SharedStrings,
  objects: SharedObjects,
): void {
  r.macAddress = mac;
  if (r.subnetMask) r.subnetMask = share(shared, r.subnetMask);
  if (r.defaultGateway) r.defaultGateway = share(shared, r.defaultGateway);
  if (r.broadcastAddress) {
    r.broadcastAddress = share(shared, r.broadcastAddress);
  }
  if (r.domainName) r.domainName = share(shared, r.domainName);
  if (r.nameServers) r.nameServers = shareList(r.nameServers, shared, objects);
  if (r.ntpServers) r.ntpServers = shareList(r.ntpServers, shared, objects);
  if (r.domainSearch) {
    r.domainSearch = shareList(r.domainSearch, shared, objects);
  }
  const ext = r.extensions;
  if (ext?.tftpServerName) {
    ext.tftpServerName = share(shared, ext.tftpServerName);
  }
  if (ext?.bootFileName) ext.bootFileName = share(shared, ext.bootFileName);
  const netboot = r.netboot;
  if (netboot && netboot.ipxeScriptUrl === undefined) {
    const key = netboot.allowNetboot ? "netboot:1" : "netboot:0";
    r.netboot = shareObject(objects, key, netboot);
  } else if (netboot?.ipxeScriptUrl) {
    netboot.ipxeScriptUrl = share(shared, netboot.ipxeScriptUrl);
  }
}

function shareList(
  list: string[],
  shared: SharedStrings,
  objects: SharedObjects,
): string[] {
  for (let i = 0; i < list.length; i++) list[i] = share(shared, list[i]);
  return shareObject(objects, "list:" + list.join("\n"), list);
}

function shareObject<T extends object>(
  objects: SharedObjects,
  key: string,
  value: T,
): T {
  const known = objects.get(key);
  if (known !== undefined) return known as T;
  if (objects.size < MAX_SHARED) objects.set(key, Object.freeze(value));
  return value;
}
