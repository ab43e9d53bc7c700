/**
 * The `probe` command: one DORA against a server, printed as a table or
 * JSON. It is how a user checks a deployment.
 *
 * @module
 */
import { dora } from "../client/client.ts";
import type { DhcpLease } from "../client/lease.ts";
import type { ProbeConfig } from "./config.ts";

/**
 * The fields of a lease a person reads, labelled, in table order; absent
 * ones are left out.
 */
export function leaseSummary(lease: DhcpLease): Record<string, string> {
  const row: Record<string, string | undefined> = {
    address: lease.address,
    "subnet mask": lease.subnetMask,
    router: lease.router,
    "DNS servers": lease.dnsServers.join(", ") || undefined,
    hostname: lease.hostname,
    "domain name": lease.domainName,
    "broadcast address": lease.broadcastAddress,
    "NTP servers": lease.ntpServers.join(", ") || undefined,
    "domain search": lease.domainSearch.join(", ") || undefined,
    "lease time": lease.leaseTime === undefined
      ? undefined
      : `${lease.leaseTime} s`,
    "server identifier": lease.serverId,
    "next server": lease.nextServer !== "0.0.0.0"
      ? lease.nextServer
      : undefined,
    "boot file": lease.bootFile || undefined,
    "TFTP server name": lease.tftpServerName,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Format a lease as an aligned two-column table.
 *
 * @example
 * ```ts
 * import { formatTable } from "./probe.ts";
 * const t = formatTable({ address: "192.168.2.153", router: "192.168.2.1" });
 * if (!t.includes("address  192.168.2.153")) throw new Error(t);
 * ```
 */
export function formatTable(rows: Record<string, string>): string {
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  return Object.entries(rows).map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join("\n");
}

/**
 * Client options that make the probe look like a PXE client of `arch`
 * (vendor class `PXEClient:Arch:NNNNN:UNDI:003016` and option 93).
 */
export function pxeClientOptions(
  arch?: number,
  userClass?: string,
): { vendorClass?: string; arch?: number; userClass?: string } {
  const out: { vendorClass?: string; arch?: number; userClass?: string } = {};
  if (arch !== undefined) {
    out.arch = arch;
    out.vendorClass = `PXEClient:Arch:${
      String(arch).padStart(5, "0")
    }:UNDI:003016`;
  }
  if (userClass !== undefined) out.userClass = userClass;
  return out;
}

/**
 * Run the probe and return what to print. Against a server on port 67 the
 * probe sends from port 68 and hears broadcast replies there.
 *
 * @throws {Error} when no lease is obtained (timeout, NAK)
 */
export async function runProbe(probe: ProbeConfig): Promise<string> {
  const lease = await dora({
    server: `${probe.server.hostname}:${probe.server.port}`,
    // A server on port 67 answers port 68 only (RFC 2131 §4.1), so the
    // probe listens there, as a real client does (root, like the server).
    ...(probe.server.port === 67 ? { bind: "0.0.0.0:68" } : {}),
    mac: probe.mac,
    timeout: probe.timeout,
    ...pxeClientOptions(probe.arch, probe.userClass),
  });
  if (probe.json) {
    const { options: _options, reply: _reply, ...fields } = lease;
    return JSON.stringify(fields, null, 2);
  }
  return formatTable(leaseSummary(lease));
}
