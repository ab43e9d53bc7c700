/**
 * End to end with the reservations in a NATS JetStream KV bucket (root
 * only): in a server namespace, nats-server -js with its own store, the
 * example reservations imported with `kv import`, a `--kv-bucket`
 * responder and our DHCP server (cache off); udhcpc in a client namespace
 * with the MAC of the example's first host. A raw NATS publish to the KV
 * subject (an independent client: bash over /dev/tcp) changes the address
 * the next client gets; a raw delete makes the MAC unknown.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DhcpClientError, runUdhcpc } from "../_helpers/dhcp_clients.ts";
import {
  canCreateNamespaces,
  createNetworkPair,
  type NetworkPair,
} from "../_helpers/netns.ts";
import { spawnDenoInNamespace } from "../_helpers/ns_process.ts";
import { key } from "./_kv.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAC = "08:00:27:29:4e:67";
const NATS_URL = "nats://127.0.0.1:4222";
const encoder = new TextEncoder();

/**
 * Publish to the KV subject with the bare NATS protocol from inside the
 * namespace: PUB (a put) or HPUB with `KV-Operation: DEL` (a delete), then
 * PING, and wait for the PONG that says the server has read it.
 */
async function rawKv(
  net: NetworkPair,
  op: "put" | "delete",
  body = "",
): Promise<void> {
  const subject = `$KV.hosts.${key(MAC)}`;
  const size = (s: string) => encoder.encode(s).length;
  const header = "NATS/1.0\r\nKV-Operation: DEL\r\n\r\n";
  const message = op === "put"
    ? `PUB ${subject} ${size(body)}\r\n${body}\r\n`
    : `HPUB ${subject} ${size(header)} ${size(header)}\r\n${header}\r\n`;
  const protocol = `CONNECT {"verbose":false,"headers":true}\r\n${message}` +
    "PING\r\n";
  await net.run(net.serverNs, "bash", [
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/4222
printf '%s' "$1" >&3
while read -r line <&3; do
  case "$line" in PONG*) exit 0 ;; -ERR*) echo "$line" >&2; exit 1 ;; esac
done
exit 1`,
    "raw",
    protocol,
  ], { timeoutMs: 5000 });
}

/** Run udhcpc until `accept` takes its result (10 tries at most). */
async function untilLease(
  net: NetworkPair,
  accept: (ip: string | undefined) => boolean,
  what: string,
): Promise<void> {
  let last: string | undefined;
  for (let i = 0; i < 10; i++) {
    try {
      last = (await runUdhcpc(net.clientNs.name, net.clientIf, {
        timeoutMs: 4000,
      })).ip;
    } catch (err) {
      if (!(err instanceof DhcpClientError)) throw err;
      last = undefined;
    }
    if (accept(last)) return;
  }
  assert.fail(`${what}: the client last got ${last ?? "no lease"}`);
}

Deno.test({
  name:
    "kv e2e - udhcpc gets the imported reservation; a raw KV put changes the next lease, a delete makes the MAC unknown",
  ignore: !canCreateNamespaces(),
}, async () => {
  await using net = await createNetworkPair({
    serverAddress: "192.168.2.1/24",
    clientMac: MAC,
  });
  const store = await Deno.makeTempDir({ prefix: "kv_e2e_" });
  try {
    await using nats = net.spawn(net.serverNs, "nats-server", [
      "-js",
      "-sd",
      store,
      "-a",
      "127.0.0.1",
      "-p",
      "4222",
    ], { name: "nats" });
    await nats.waitForOutput(/Server is ready/, 10_000);
    const imported = await net.run(net.serverNs, Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}main.ts`,
      "kv",
      "import",
      "--kv-bucket",
      "hosts",
      "--nats-url",
      NATS_URL,
      `${ROOT}examples/reservations.yaml`,
    ], { env: { NO_COLOR: "1" } });
    assert.match(imported.stdout, /4 hosts, 4 added/);

    const nsName = net.serverNs.name;
    await using responder = spawnDenoInNamespace(nsName, [
      "run",
      "-A",
      `${ROOT}main.ts`,
      "--responder",
      "--kv-bucket",
      "hosts",
      "--nats-url",
      NATS_URL,
    ], { name: "responder" });
    await using server = spawnDenoInNamespace(nsName, [
      "run",
      "-A",
      `${ROOT}main.ts`,
      "--interface",
      net.serverIf,
      "--listen",
      "0.0.0.0:67",
      "--server-ip",
      "192.168.2.1",
      "--nats-url",
      NATS_URL,
      "--cache-ttl",
      "0",
    ], { name: "server" });
    await responder.waitForOutput(/responder ready/, 20_000);
    await server.waitForOutput(/DHCP server listening/, 20_000);

    const first = await runUdhcpc(net.clientNs.name, net.clientIf);
    assert.equal(first.ip, "192.168.2.153");

    await rawKv(
      net,
      "put",
      JSON.stringify({
        ipAddress: "192.168.2.154",
        subnetMask: "255.255.255.0",
      }),
    );
    await untilLease(
      net,
      (ip) => ip === "192.168.2.154",
      "the put was not in service",
    );

    await rawKv(net, "delete");
    await untilLease(
      net,
      (ip) => ip === undefined,
      "the delete was not in service",
    );
    assert.match(responder.output(), /bucket=hosts/);
  } finally {
    await Deno.remove(store, { recursive: true }).catch(() => {});
  }
});
