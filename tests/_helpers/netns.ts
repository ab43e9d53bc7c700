/**
 * Throw-away network namespaces joined by veth pairs, for tests that run real
 * DHCP servers, relays and clients. Every name carries a random suffix so
 * test files can run in parallel; addresses exist only inside the namespaces;
 * everything is removed on dispose (`await using`).
 *
 * @module
 */

import {
  type NamespaceProcess,
  runInNamespace,
  type RunOptions,
  type RunResult,
  spawnDenoInNamespace,
  spawnInNamespace,
  type SpawnOptions,
} from "./ns_process.ts";

export {
  type NamespaceProcess,
  runInNamespace,
  spawnDenoInNamespace,
  spawnInNamespace,
};
export type { RunOptions, RunResult, SpawnOptions };

/** A namespace of our own; `await using` deletes it. */
export interface Namespace extends AsyncDisposable {
  /** Its name (for `ip netns exec`). */
  readonly name: string;
  /** Run a command inside it; see {@linkcode runInNamespace}. */
  run(cmd: string, args?: string[], options?: RunOptions): Promise<RunResult>;
  /** Start a process inside it; see {@linkcode spawnInNamespace}. */
  spawn(cmd: string, args?: string[], options?: SpawnOptions): NamespaceProcess;
}

/** Whether this process can create namespaces (root with `ip` available). */
export function canCreateNamespaces(): boolean {
  try {
    if (Deno.uid() !== 0) return false;
    return new Deno.Command("ip", {
      args: ["netns", "list"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** A random lower-case hex suffix of `n` characters. */
export function randomSuffix(n = 6): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(n / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
    .slice(0, n);
}

/**
 * A random locally administered unicast MAC (`02:xx:xx:xx:xx:xx`).
 *
 * @example
 * ```ts ignore
 * const mac = randomMac(); // "02:5e:01:c4:9a:33"
 * ```
 */
export function randomMac(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  return ["02", ...Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))]
    .join(":");
}

function ip(...args: string[]): Promise<RunResult> {
  return runInNamespace(null, "ip", args, { timeoutMs: 10000 });
}

async function killAllIn(ns: string): Promise<void> {
  const { stdout } = await runInNamespace(null, "ip", ["netns", "pids", ns], {
    check: false,
  });
  for (const pid of stdout.split(/\s+/).filter(Boolean)) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch { /* already gone */ }
  }
}

/**
 * Create a namespace named `<prefix>-<random>` with loopback up.
 *
 * On dispose, processes still inside it (for example dhcpcd's privilege
 * separation helpers) are killed by pid, then it is deleted.
 *
 * @param prefix Start of the name
 * @returns The namespace
 * @throws {Error} When `ip netns add` fails (not root, name clash)
 *
 * @example
 * ```ts ignore
 * await using ns = await createNamespace("t");
 * await ns.run("ip", ["link"]);
 * ```
 */
export async function createNamespace(prefix = "dn"): Promise<Namespace> {
  const name = `${prefix}-${randomSuffix()}`;
  await ip("netns", "add", name);
  try {
    await ip("-n", name, "link", "set", "lo", "up");
  } catch (e) {
    await ip("netns", "del", name).catch(() => {});
    throw e;
  }
  return namespaceHandle(name);
}

function namespaceHandle(name: string): Namespace {
  let disposed = false;
  return {
    name,
    run: (cmd, args = [], options) => runInNamespace(name, cmd, args, options),
    spawn: (cmd, args = [], options) =>
      spawnInNamespace(name, cmd, args, options),
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await killAllIn(name);
      await ip("netns", "del", name).catch(() => {});
    },
  };
}

/**
 * Create a veth pair with one end in each namespace, both up, optionally
 * addressed (`"10.77.0.1/24"`) and with a chosen MAC on either end.
 * Interface names are `<prefix><random>a` / `...b` (at most 15 bytes); they
 * disappear with their namespaces.
 *
 * @returns The two interface names
 */
export async function createVeth(
  a: { ns: string; address?: string; mac?: string },
  b: { ns: string; address?: string; mac?: string },
  prefix = "v",
): Promise<{ a: string; b: string }> {
  const id = `${prefix}${randomSuffix(15 - prefix.length - 1)}`;
  const names = { a: `${id}a`, b: `${id}b` };
  await ip("link", "add", names.a, "type", "veth", "peer", "name", names.b);
  for (const [end, name] of [[a, names.a], [b, names.b]] as const) {
    await ip("link", "set", name, "netns", end.ns);
    if (end.mac) {
      await ip("-n", end.ns, "link", "set", name, "address", end.mac);
    }
    if (end.address) {
      await ip("-n", end.ns, "addr", "add", end.address, "dev", name);
    }
    await ip("-n", end.ns, "link", "set", name, "up");
  }
  return names;
}

/** Set the MAC of `iface` in `ns` (for DHCP client identity). */
export async function setMac(
  ns: string,
  iface: string,
  mac: string,
): Promise<void> {
  await ip("-n", ns, "link", "set", iface, "address", mac);
}

/** Options of {@linkcode createNetworkPair}. */
export interface NetworkPairOptions {
  /**
   * Address with prefix of the server end.
   * @default "10.77.0.1/24"
   */
  serverAddress?: string;
  /** Address of the client end; none by default (a DHCP client gets one). */
  clientAddress?: string;
  /** MAC of the client end; random by default. */
  clientMac?: string;
}

/** Two namespaces joined by one veth; `await using` removes both. */
export interface NetworkPair extends AsyncDisposable {
  /** Namespace of the server under test. */
  serverNs: Namespace;
  /** Namespace of the DHCP client. */
  clientNs: Namespace;
  /** Server-side interface (has `serverAddress`). */
  serverIf: string;
  /** Client-side interface. */
  clientIf: string;
  /** The server's address without prefix, e.g. `10.77.0.1`. */
  serverIp: string;
  /** Run a command in one of the two namespaces. */
  run(
    ns: Namespace | string,
    cmd: string,
    args?: string[],
    options?: RunOptions,
  ): Promise<RunResult>;
  /** Start a process in one of the two namespaces. */
  spawn(
    ns: Namespace | string,
    cmd: string,
    args?: string[],
    options?: SpawnOptions,
  ): NamespaceProcess;
}

const nsName = (ns: Namespace | string) =>
  typeof ns === "string" ? ns : ns.name;

async function disposeAll(items: AsyncDisposable[]): Promise<void> {
  for (const item of [...items].reverse()) await item[Symbol.asyncDispose]();
}

/**
 * A server namespace and a client namespace joined by a veth pair.
 *
 * @param options Addresses and client MAC
 * @returns The pair; `await using` removes it
 * @throws {Error} When a namespace or link cannot be created (everything
 * made so far is removed first)
 *
 * @example
 * ```ts ignore
 * await using net = await createNetworkPair({ clientMac: "02:00:00:00:00:01" });
 * await using server = net.spawn(net.serverNs, "deno", ["run", "-A", "main.ts"]);
 * const lease = await runUdhcpc(net.clientNs.name, net.clientIf);
 * ```
 */
export async function createNetworkPair(
  options: NetworkPairOptions = {},
): Promise<NetworkPair> {
  const serverAddress = options.serverAddress ?? "10.77.0.1/24";
  const made: AsyncDisposable[] = [];
  try {
    const serverNs = await createNamespace("dns");
    made.push(serverNs);
    const clientNs = await createNamespace("dnc");
    made.push(clientNs);
    const { a, b } = await createVeth(
      { ns: serverNs.name, address: serverAddress },
      {
        ns: clientNs.name,
        address: options.clientAddress,
        mac: options.clientMac,
      },
    );
    return {
      serverNs,
      clientNs,
      serverIf: a,
      clientIf: b,
      serverIp: serverAddress.split("/")[0],
      run: (ns, cmd, args = [], opts) =>
        runInNamespace(nsName(ns), cmd, args, opts),
      spawn: (ns, cmd, args = [], opts) =>
        spawnInNamespace(nsName(ns), cmd, args, opts),
      [Symbol.asyncDispose]: () => disposeAll(made),
    };
  } catch (e) {
    await disposeAll(made);
    throw e;
  }
}

/** Options of {@linkcode createRelayTopology}. */
export interface RelayTopologyOptions {
  /**
   * Server address on the server<->relay link.
   * @default "10.77.1.1/24"
   */
  serverAddress?: string;
  /**
   * Relay address on the server<->relay link.
   * @default "10.77.1.2/24"
   */
  relayServerSideAddress?: string;
  /**
   * Relay address on the client subnet: the giaddr the server sees.
   * @default "10.78.0.1/24"
   */
  relayClientSideAddress?: string;
  /** MAC of the client's interface; random by default. */
  clientMac?: string;
}

/** client ns <-> relay ns <-> server ns; `await using` removes all three. */
export interface RelayTopology extends AsyncDisposable {
  /** Namespace of the server under test. */
  serverNs: Namespace;
  /** Namespace of the relay (IPv4 forwarding on). */
  relayNs: Namespace;
  /** Namespace of the DHCP client. */
  clientNs: Namespace;
  /** Server's interface (toward the relay). */
  serverIf: string;
  /** Relay's interface toward the server (dhcrelay `-iu`). */
  relayServerIf: string;
  /** Relay's interface on the client subnet (dhcrelay `-id`). */
  relayClientIf: string;
  /** Client's interface. */
  clientIf: string;
  /** Server address without prefix (what dhcrelay forwards to). */
  serverIp: string;
  /** Relay address on the client subnet without prefix (the giaddr). */
  gatewayIp: string;
  /** Client subnet in CIDR form, e.g. `10.78.0.0/24`. */
  clientSubnet: string;
}

/**
 * Three namespaces on two subnets for relay tests: the server has a route to
 * the client subnet via the relay, the relay forwards IPv4. Start dhcrelay
 * with `startDhcrelay(topo.relayNs.name, { downstream: [topo.relayClientIf],
 * upstream: [topo.relayServerIf], servers: [topo.serverIp] })`.
 *
 * @param options Addresses and client MAC
 * @returns The topology; `await using` removes it
 * @throws {Error} When a namespace or link cannot be created
 */
export async function createRelayTopology(
  options: RelayTopologyOptions = {},
): Promise<RelayTopology> {
  const serverAddress = options.serverAddress ?? "10.77.1.1/24";
  const relayServerSide = options.relayServerSideAddress ?? "10.77.1.2/24";
  const relayClientSide = options.relayClientSideAddress ?? "10.78.0.1/24";
  const made: AsyncDisposable[] = [];
  try {
    const serverNs = await createNamespace("drs");
    made.push(serverNs);
    const relayNs = await createNamespace("drr");
    made.push(relayNs);
    const clientNs = await createNamespace("drc");
    made.push(clientNs);
    const up = await createVeth(
      { ns: serverNs.name, address: serverAddress },
      { ns: relayNs.name, address: relayServerSide },
      "u",
    );
    const down = await createVeth(
      { ns: relayNs.name, address: relayClientSide },
      { ns: clientNs.name, mac: options.clientMac },
      "d",
    );
    await relayNs.run("sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
    const clientSubnet = cidrNetwork(relayClientSide);
    const gatewayIp = relayClientSide.split("/")[0];
    await serverNs.run("ip", [
      "route",
      "add",
      clientSubnet,
      "via",
      relayServerSide.split("/")[0],
    ]);
    return {
      serverNs,
      relayNs,
      clientNs,
      serverIf: up.a,
      relayServerIf: up.b,
      relayClientIf: down.a,
      clientIf: down.b,
      serverIp: serverAddress.split("/")[0],
      gatewayIp,
      clientSubnet,
      [Symbol.asyncDispose]: () => disposeAll(made),
    };
  } catch (e) {
    await disposeAll(made);
    throw e;
  }
}

/** `"10.78.0.1/24"` -> `"10.78.0.0/24"`. */
export function cidrNetwork(cidr: string): string {
  const [addr, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const n = addr.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${bits}`;
}
