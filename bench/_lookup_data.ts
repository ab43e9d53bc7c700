/**
 * The reservations both sides of bench/lookup_bench.ts use.
 *
 * @module
 */
import type { Reservation } from "../lib/backend/reservation.ts";

/** Number of distinct MACs in the benchmark. */
export const BENCH_HOSTS = 1024;

/** The MAC of host `i`: `02:00:00:00:HH:LL`. */
export function benchMac(i: number): string {
  const hi = ((i >> 8) & 0xff).toString(16).padStart(2, "0");
  const lo = (i & 0xff).toString(16).padStart(2, "0");
  return `02:00:00:00:${hi}:${lo}`;
}

/** One realistic reservation (all v2 fields, netboot on) per host. */
export function benchReservations(): Reservation[] {
  return Array.from({ length: BENCH_HOSTS }, (_, i) => ({
    macAddress: benchMac(i),
    ipAddress: `10.1.${i >> 8}.${(i & 0xff) || 1}`,
    subnetMask: "255.255.0.0",
    defaultGateway: "10.1.0.1",
    nameServers: ["10.1.0.2", "10.1.0.3"],
    hostname: `host-${i}`,
    domainName: "example.com",
    broadcastAddress: "10.1.255.255",
    ntpServers: ["10.1.0.4"],
    leaseTime: 3600,
    domainSearch: ["example.com"],
    netboot: { allowNetboot: true, ipxeScriptUrl: "http://10.1.0.5/auto.ipxe" },
  }));
}
