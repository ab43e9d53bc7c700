/**
 * The proxyDHCP lab: one link (a bridge in the lab namespace, our server's
 * address 10.77.0.1 on it) with other namespaces attached by veth pairs: a
 * dnsmasq that gives out addresses (10.77.0.2), optionally a dnsmasq in
 * its own proxy mode (10.77.0.3) as the reference, and clients. In the lab
 * namespace: nats-server, a responder with the reservations, and
 * `main.ts --proxy` (or `--proxy-all`) bound to the bridge; a tap device
 * on the bridge for a VM when asked for.
 *
 * @module
 */
import type { Reservation } from "../../lib/backend/reservation.ts";
import { type Dnsmasq, startDnsmasq } from "./dnsmasq.ts";
import {
  createNamespace,
  createVeth,
  type Namespace,
  type NamespaceProcess,
  spawnDenoInNamespace,
} from "./netns.ts";
import type { PxeClientArgs, PxeClientResult } from "../server/_pxe_client.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Our server's address on the link. */
export const OUR_IP = "10.77.0.1";
/** The address server (dnsmasq with a range). */
export const ADDRESS_SERVER_IP = "10.77.0.2";
/** dnsmasq in proxy mode, the reference. */
export const DNSMASQ_PROXY_IP = "10.77.0.3";

/** A namespace on the lab's link. */
export interface Attached {
  /** The namespace. */
  ns: Namespace;
  /** Its interface on the link. */
  iface: string;
}

/** The lab; `await using` removes everything. */
export interface ProxyLab extends AsyncDisposable {
  /** The lab namespace (bridge `br0`). */
  lab: Namespace;
  /** Put a new namespace on the link. */
  attach(
    prefix: string,
    options?: { address?: string; mac?: string },
  ): Promise<Attached>;
  /** Add a tap device `tap0` on the bridge (for QEMU); returns its name. */
  addTap(): Promise<string>;
  /** Start `main.ts` with these flags (plus NATS, interface, logs). */
  startOurs(flags: string[]): Promise<NamespaceProcess>;
  /** Start a dnsmasq giving out 10.77.0.100-150 with no boot options. */
  startAddressServer(): Promise<Dnsmasq>;
  /** Start dnsmasq in its proxy mode with these boot arguments. */
  startDnsmasqProxy(args: string[]): Promise<Dnsmasq>;
  /** Run the PXE-like client in `client`. */
  pxeClient(
    client: Attached,
    args: Omit<PxeClientArgs, "iface">,
  ): Promise<PxeClientResult>;
}

/**
 * Build the lab with these reservations in the responder.
 *
 * @param reservations What the responder answers.
 * @returns The lab.
 */
export async function createProxyLab(
  reservations: Reservation[],
): Promise<ProxyLab> {
  const made: AsyncDisposable[] = [];
  const dispose = async () => {
    for (const item of made.reverse()) await item[Symbol.asyncDispose]();
  };
  try {
    const lab = await createNamespace("pxl");
    made.push(lab);
    await lab.run("sh", [
      "-c",
      `ip link add br0 type bridge && ip addr add ${OUR_IP}/24 dev br0 && ip link set br0 up`,
    ]);
    const nats = lab.spawn("nats-server", ["-a", "127.0.0.1", "-p", "4222"], {
      name: "nats-server",
    });
    made.push(nats);
    await nats.waitForOutput(/Server is ready/, 20_000);
    const responder = spawnDenoInNamespace(lab.name, [
      "run",
      "-A",
      `${ROOT}tests/_helpers/memory_responder_process.ts`,
      "nats://127.0.0.1:4222",
      JSON.stringify(reservations),
    ], { name: "responder" });
    made.push(responder);
    await responder.waitForOutput(/ready/, 60_000);
    const attach = async (
      prefix: string,
      options: { address?: string; mac?: string } = {},
    ): Promise<Attached> => {
      const ns = await createNamespace(prefix);
      made.push(ns);
      const { a, b } = await createVeth(
        { ns: ns.name, ...options },
        { ns: lab.name },
        "p",
      );
      await lab.run("ip", ["link", "set", b, "master", "br0"]);
      return { ns, iface: a };
    };
    const dnsmasq = async (address: string, args: string[]) => {
      const at = await attach("pxd", { address: `${address}/24` });
      const server = await startDnsmasq(at.ns.name, {
        interfaces: [at.iface],
        subnets: [],
        reservations: [],
        extraArgs: args,
      });
      made.push(server);
      return server;
    };
    return {
      lab,
      attach,
      async addTap() {
        await lab.run("sh", [
          "-c",
          "ip tuntap add dev tap0 mode tap && ip link set tap0 master br0 && ip link set tap0 up",
        ]);
        return "tap0";
      },
      async startOurs(flags) {
        const server = spawnDenoInNamespace(lab.name, [
          "run",
          "-A",
          `${ROOT}main.ts`,
          "--nats-url",
          "nats://127.0.0.1:4222",
          "--interface",
          "br0",
          "--cache-ttl",
          "0",
          "--log-level",
          "debug",
          "--log-format",
          "json",
          ...flags,
        ], { name: "dhcp-nats" });
        made.push(server);
        await server.waitForOutput(/DHCP server listening/, 60_000);
        return server;
      },
      startAddressServer: () =>
        dnsmasq(ADDRESS_SERVER_IP, [
          "--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,600",
        ]),
      startDnsmasqProxy: (args) =>
        dnsmasq(DNSMASQ_PROXY_IP, [
          "--dhcp-range=10.77.0.0,proxy,255.255.255.0",
          ...args,
        ]),
      async pxeClient(client, args) {
        // A link-local address and a route let ordinary sockets broadcast.
        await client.ns.run("sh", [
          "-c",
          `ip addr flush dev ${client.iface} && ip addr add 169.254.77.${
            2 + Math.floor(Math.random() * 200)
          }/16 dev ${client.iface} && ip route replace default dev ${client.iface}`,
        ]);
        const run = await client.ns.run(Deno.execPath(), [
          "run",
          "-A",
          `${ROOT}tests/server/_pxe_client.ts`,
          JSON.stringify({ ...args, iface: client.iface }),
        ], { timeoutMs: 60_000, env: { NO_COLOR: "1" } });
        return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
