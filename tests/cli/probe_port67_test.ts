/**
 * A server on port 67, in a network namespace (root only): `probe` gets its
 * lease (it listens on port 68 as a real client), and a request from
 * another source port is answered at port 68, never at its source (no
 * reflection, RFC 2131 §4.1).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  canCreateNamespaces,
  createNetworkPair,
  spawnDenoInNamespace,
} from "../_helpers/netns.ts";
import { runInNamespace } from "../_helpers/ns_process.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAC = "02:67:00:00:00:01";

/** In the client namespace: a DISCOVER from port 5353, listening on 68 too. */
const REFLECT = `
import dgram from "node:dgram";
import { request } from "${ROOT}tests/server/_support.ts";
const open = (port) => new Promise((r) => {
  const s = dgram.createSocket({ type: "udp4", reuseAddr: true });
  s.bind(port, "0.0.0.0", () => { s.setBroadcast(true); r(s); });
});
const at68 = await open(68), at5353 = await open(5353);
const got = { 68: 0, 5353: 0 };
at68.on("message", () => got[68]++);
at5353.on("message", () => got[5353]++);
const discover = request(1, [], { clientHardwareAddress: "${MAC}" });
at5353.send(discover, 67, "10.77.0.1");
// One request, one reply: wait for it, wherever it goes.
for (let i = 0; i < 200 && got[68] + got[5353] === 0; i++) {
  await new Promise((r) => setTimeout(r, 50));
}
console.log(JSON.stringify(got));
at68.close(); at5353.close();
`;

Deno.test({
  name:
    "cli - probe gets its lease from a server on port 67; a request from port 5353 is answered at 68",
  ignore: !canCreateNamespaces(),
}, async () => {
  await using net = await createNetworkPair({
    clientAddress: "10.77.0.2/24",
    clientMac: MAC,
  });
  await using server = spawnDenoInNamespace(net.serverNs.name, [
    "run",
    "-A",
    `${ROOT}tests/_helpers/run_server.ts`,
    JSON.stringify({
      listen: "0.0.0.0:67",
      interface: net.serverIf,
      serverIp: "10.77.0.1",
      reservations: [{
        macAddress: MAC,
        ipAddress: "10.77.0.50",
        subnetMask: "255.255.255.0",
      }],
    }),
  ]);
  await server.waitForOutput(/ready/, 20000);
  const probe = await runInNamespace(net.clientNs.name, Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}main.ts`,
    "probe",
    "--mac",
    MAC,
    "--server",
    "10.77.0.1:67",
    "--json",
  ], { timeoutMs: 30000 });
  assert.equal(JSON.parse(probe.stdout).address, "10.77.0.50");
  const reflect = await runInNamespace(net.clientNs.name, Deno.execPath(), [
    "eval",
    REFLECT,
  ], { timeoutMs: 30000 });
  assert.deepEqual(JSON.parse(reflect.stdout), { 68: 1, 5353: 0 });
});
