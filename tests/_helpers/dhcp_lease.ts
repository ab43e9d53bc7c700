/**
 * The lease a real DHCP client obtained, normalized from the environment its
 * hook script receives (dhclient and dhcpcd use `new_*` names, udhcpc short
 * ones), and the error the client runners throw.
 *
 * @module
 */

/** Which real client produced a lease. */
export type DhcpClientName = "dhclient" | "udhcpc" | "dhcpcd";

/** A lease as the client saw it. Absent options are `undefined` or `[]`. */
export interface DhcpLease {
  /** The client that obtained it. */
  client: DhcpClientName;
  /** Leased address (yiaddr). */
  ip: string;
  /** Subnet mask, dotted quad (option 1). */
  mask?: string;
  /** First router (option 3). */
  router?: string;
  /** All routers (option 3). */
  routers: string[];
  /** DNS servers (option 6). */
  dns: string[];
  /** Host name (option 12). */
  hostname?: string;
  /** Domain name (option 15). */
  domain?: string;
  /** Domain search list (option 119). */
  domainSearch: string[];
  /** NTP servers (option 42). */
  ntp: string[];
  /** Lease time in seconds (option 51). */
  leaseTime?: number;
  /** Server identifier (option 54). */
  serverId?: string;
  /** Boot file name: option 67 or the BOOTP `file` field. */
  bootFile?: string;
  /** Next server: `siaddr` (not reported by dhcpcd). */
  nextServer?: string;
  /** Every variable the hook script received (client-specific names). */
  raw: Record<string, string>;
}

/** A real client did not get a lease (timeout, exit, NAK). */
export class DhcpClientError extends Error {
  /** The client that failed. */
  readonly client: DhcpClientName;
  /** Its stdout and stderr, for the test report. */
  readonly output: string;
  /** Hook events seen before the failure (e.g. `["PREINIT", "FAIL"]`). */
  readonly events: string[];

  /**
   * Describe a client failure; the message ends with its hook events and output.
   *
   * @param client The client that failed
   * @param message What failed and why
   * @param output The client's output
   * @param events Hook events seen
   */
  constructor(
    client: DhcpClientName,
    message: string,
    output: string,
    events: string[],
  ) {
    super(
      `${message}; hook events: [${events.join(", ")}]; output:\n${output}`,
    );
    this.name = "DhcpClientError";
    this.client = client;
    this.output = output;
    this.events = events;
  }
}

/** Parse an `env` dump (`KEY=value` lines; values may span lines). */
export function parseEnvDump(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) {
      last = m[1];
      out[last] = m[2];
    } else if (last !== undefined && line !== "") {
      out[last] += `\n${line}`;
    }
  }
  return out;
}

const list = (v: string | undefined) => (v ?? "").split(/\s+/).filter(Boolean);
const num = (v: string | undefined) =>
  v === undefined || v === "" ? undefined : Number(v);
const text = (v: string | undefined) =>
  v === undefined || v === "" ? undefined : v;

/** Prefix length (24) or dotted mask -> dotted mask. */
function maskOf(v: string | undefined): string | undefined {
  if (v === undefined || v === "") return undefined;
  if (v.includes(".")) return v;
  const bits = Number(v);
  const m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

/**
 * Normalize a hook environment into a {@linkcode DhcpLease}.
 *
 * @param client Which client's naming the variables follow
 * @param env The variables
 * @returns The lease
 * @throws {TypeError} When the environment has no leased address
 */
export function leaseFromEnv(
  client: DhcpClientName,
  env: Record<string, string>,
): DhcpLease {
  if (client === "udhcpc") {
    if (!env.ip) {
      throw new TypeError("Cannot read the udhcpc lease: no ip variable");
    }
    const routers = list(env.router);
    return {
      client,
      ip: env.ip,
      mask: maskOf(env.subnet ?? env.mask),
      router: routers[0],
      routers,
      dns: list(env.dns),
      hostname: text(env.hostname),
      domain: text(env.domain),
      domainSearch: list(env.search),
      ntp: list(env.ntpsrv),
      leaseTime: num(env.lease),
      serverId: text(env.serverid),
      bootFile: text(env.bootfile) ?? text(env.boot_file),
      nextServer: text(env.siaddr),
      raw: env,
    };
  }
  if (!env.new_ip_address) {
    throw new TypeError(
      `Cannot read the ${client} lease: no new_ip_address variable`,
    );
  }
  const routers = list(env.new_routers);
  return {
    client,
    ip: env.new_ip_address,
    mask: maskOf(env.new_subnet_mask ?? env.new_subnet_cidr),
    router: routers[0],
    routers,
    dns: list(env.new_domain_name_servers),
    hostname: text(env.new_host_name),
    domain: text(env.new_domain_name),
    domainSearch: list(env.new_domain_search),
    ntp: list(env.new_ntp_servers),
    leaseTime: num(env.new_dhcp_lease_time),
    serverId: text(env.new_dhcp_server_identifier),
    bootFile: text(env.new_bootfile_name) ?? text(env.new_filename),
    nextServer: text(env.new_next_server),
    raw: env,
  };
}
