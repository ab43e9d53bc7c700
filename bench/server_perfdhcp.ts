/**
 * Load test with kea's `perfdhcp` against our server on loopback (root: it
 * binds port 67). perfdhcp plays a relay at 127.0.0.1:67 (giaddr) and our
 * server listens on 127.0.0.2:67 with a backend that computes a
 * reservation from the MAC, so every simulated client gets an address.
 *
 * `deno run -A bench/server_perfdhcp.ts [rate] [seconds] [clients] [interface]`
 *
 * With `interface` (for example `lo`), the server uses the FFI interface
 * socket (SO_BINDTODEVICE + IP_PKTINFO) instead of node:dgram.
 *
 * Prints perfdhcp's DISCOVER-OFFER and REQUEST-ACK statistics and the
 * server's counters.
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import { DhcpServer } from "../lib/server/server.ts";

const rate = Deno.args[0] ?? "1000";
const seconds = Deno.args[1] ?? "5";
const clients = Deno.args[2] ?? "10000";
const iface = Deno.args[3];

const backend: Backend = {
  lookup(mac) {
    const b = mac.split(":").map((h) => parseInt(h, 16));
    return Promise.resolve({
      macAddress: mac,
      ipAddress: `10.${b[3]}.${b[4]}.${b[5] || 1}`,
      subnetMask: "255.0.0.0",
      defaultGateway: "10.0.0.1",
      nameServers: ["10.0.0.53"],
      leaseTime: 3600,
    });
  },
};

await using server = await DhcpServer.start({
  listen: "127.0.0.2:67",
  backend,
});
const out = await new Deno.Command("perfdhcp", {
  args: [
    "-4",
    "-l",
    "127.0.0.1",
    "-L",
    "67",
    "-r",
    rate,
    "-R",
    clients,
    "-p",
    seconds,
    "127.0.0.2",
  ],
  stdout: "piped",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(out.stdout) +
  new TextDecoder().decode(out.stderr);
const pick = (section: string) => {
  const part = text.split(`***Statistics for: ${section}***`)[1] ?? "";
  const get = (k: string) => part.match(new RegExp(`${k}: ([^\\n]+)`))?.[1];
  return `${section}: sent ${get("sent packets")}, received ${
    get("received packets")
  }, drops ${get("drops ratio")}, avg delay ${get("avg delay")}, max ${
    get("max delay")
  }`;
};
console.log(
  `perfdhcp -r ${rate} -R ${clients} -p ${seconds}, ${
    iface ? `interface socket on ${iface}` : "node:dgram socket"
  }`,
);
console.log(pick("DISCOVER-OFFER"));
console.log(pick("REQUEST-ACK"));
console.log(`server counters: ${JSON.stringify(server.counters)}`);
