/**
 * dnsmasq as a reference DHCP server inside a namespace: static reservations
 * only, DNS off, no config file, a temp lease file. Used to prove the client
 * runners and namespace helpers against a server known to be correct.
 *
 * @module
 */

import { type NamespaceProcess, spawnInNamespace } from "./ns_process.ts";

/**
 * dnsmasq in the foreground, no DNS, no config file, no pid file, bound to
 * the interfaces it is given only: the start of every dnsmasq the tests
 * and benches run.
 */
export const DNSMASQ_BASE_ARGS: readonly string[] = [
  "--no-daemon",
  "--conf-file=/dev/null",
  "--port=0",
  "--user=root",
  "--group=root",
  "--pid-file=",
  "--bind-interfaces",
];

/** One static reservation (`--dhcp-host`). */
export interface DnsmasqReservation {
  /** Client MAC, lower-case colon hex. */
  mac: string;
  /** Reserved address. */
  ip: string;
  /** Host name handed out (option 12). */
  hostname?: string;
}

/** Options of {@linkcode startDnsmasq}. */
export interface DnsmasqOptions {
  /** Interfaces to serve (dnsmasq binds to these only). */
  interfaces: string[];
  /** Subnets served, as network addresses with a /24-style prefix. */
  subnets: Array<{ network: string; mask: string; router?: string }>;
  /** Static reservations. */
  reservations: DnsmasqReservation[];
  /**
   * Lease time in seconds.
   * @default 3600
   */
  leaseTime?: number;
  /** DNS servers (option 6). */
  dns?: string[];
  /** Domain name (option 15). */
  domain?: string;
  /** Extra raw dnsmasq arguments (e.g. `--dhcp-boot=...`). */
  extraArgs?: string[];
  /**
   * Milliseconds to wait for dnsmasq to start.
   * @default 5000
   */
  readyTimeoutMs?: number;
}

/** A running dnsmasq; stderr holds its `--log-dhcp` output. */
export interface Dnsmasq extends AsyncDisposable {
  /** The process (use `output()` / `waitForOutput()` for its DHCP log). */
  process: NamespaceProcess;
}

/**
 * Start dnsmasq in `ns` with the given reservations.
 *
 * @param ns Server namespace
 * @param options Interfaces, subnets, reservations and options
 * @returns The running server; `await using` stops it and removes its files
 * @throws {Error} When dnsmasq exits or does not start in time
 *
 * @example
 * ```ts ignore
 * await using dnsmasq = await startDnsmasq(net.serverNs.name, {
 *   interfaces: [net.serverIf],
 *   subnets: [{ network: "10.77.0.0", mask: "255.255.255.0", router: "10.77.0.1" }],
 *   reservations: [{ mac: "02:00:00:00:00:01", ip: "10.77.0.50", hostname: "node1" }],
 * });
 * ```
 */
export async function startDnsmasq(
  ns: string,
  options: DnsmasqOptions,
): Promise<Dnsmasq> {
  const leaseFile = await Deno.makeTempFile({
    prefix: "dnsmasq-",
    suffix: ".leases",
  });
  const leaseTime = options.leaseTime ?? 3600;
  const args = [
    ...DNSMASQ_BASE_ARGS,
    "--no-ping",
    "--log-dhcp",
    "--dhcp-authoritative",
    `--dhcp-leasefile=${leaseFile}`,
  ];
  for (const i of options.interfaces) args.push(`--interface=${i}`);
  options.subnets.forEach((s, n) => {
    args.push(
      `--dhcp-range=set:net${n},${s.network},static,${s.mask},${leaseTime}`,
    );
    if (s.router) {
      args.push(`--dhcp-option=tag:net${n},option:router,${s.router}`);
    }
  });
  for (const r of options.reservations) {
    args.push(
      `--dhcp-host=${
        [r.mac, r.ip, r.hostname, leaseTime].filter((x) => x !== undefined)
          .join(",")
      }`,
    );
  }
  if (options.dns?.length) {
    args.push(`--dhcp-option=option:dns-server,${options.dns.join(",")}`);
  }
  if (options.domain) {
    args.push(`--dhcp-option=option:domain-name,${options.domain}`);
  }
  args.push(...(options.extraArgs ?? []));
  const process = spawnInNamespace(ns, "dnsmasq", args, { name: "dnsmasq" });
  const dispose = async () => {
    await process.stop();
    await Deno.remove(leaseFile).catch(() => {});
  };
  try {
    await process.waitForOutput(
      /DHCP, sockets bound exclusively/,
      options.readyTimeoutMs ?? 5000,
    );
  } catch (e) {
    await dispose();
    throw e;
  }
  return { process, [Symbol.asyncDispose]: dispose };
}
