/**
 * Netboot file serving, side by side in one run, in a namespace pair (root):
 *
 * - TFTP: 20 concurrent clients fetching a 1 MiB and a 30 MiB file, with
 *   curl (blksize 1468) and atftp (blksize 1468, windowsize 8), from our
 *   built-in TFTP server and from dnsmasq's, on the same files;
 * - HTTP: 20 concurrent curl downloads of the 30 MiB file from our built-in
 *   HTTP server and from nginx (Debian `nginx-light`, its default
 *   `worker_processes auto`, sendfile on);
 * - the peak RSS (VmHWM) of our DHCP server role over the whole run.
 *
 * Aggregate throughput = bytes delivered / wall time until the last client
 * is done; each figure is the median of `--rounds` (default 3) rounds, the
 * servers taking turns. Every client's byte count is checked.
 *
 * `deno run -A bench/netboot_compare.ts [--rounds N]`
 *
 * @module
 */

import { DNSMASQ_BASE_ARGS } from "../tests/_helpers/dnsmasq.ts";
import { createNetworkPair } from "../tests/_helpers/netns.ts";
import {
  startNatsIn,
  startNetbootRoleIn,
} from "../tests/_helpers/netboot_role.ts";

const CLIENTS = 20;
const rounds = Number(
  Deno.args[Deno.args.indexOf("--rounds") + 1] ?? 3,
) || 3;
const SERVER = "10.79.0.1";
const SIZES = { "1m.bin": 1 << 20, "30m.bin": 30 << 20 } as const;
type FileName = keyof typeof SIZES;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function makeFiles(dir: string): Promise<void> {
  for (const [name, size] of Object.entries(SIZES)) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) {
      crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
    }
    await Deno.writeFile(`${dir}/${name}`, data);
  }
}

await using net = await createNetworkPair({
  serverAddress: `${SERVER}/24`,
  clientAddress: "10.79.0.2/24",
});
const work = await Deno.makeTempDir({ prefix: "dhcp-nats-netboot-bench-" });
const dir = `${work}/boot`;
await Deno.mkdir(dir);
await makeFiles(dir);

// The servers, all in the server namespace.
await using _nats = await startNatsIn(net.serverNs.name);
await using ours = await startNetbootRoleIn(net.serverNs.name, {
  listen: "127.0.0.1:1067",
  tftp: `${SERVER}:6969`,
  http: `${SERVER}:8080`,
  bootDir: dir,
});
const idleRss = /VmRSS:\s*(\d+) kB/.exec(
  await Deno.readTextFile(`/proc/${ours.pid}/status`),
)?.[1];
await using dnsmasq = net.spawn(net.serverNs, "dnsmasq", [
  ...DNSMASQ_BASE_ARGS,
  `--listen-address=${SERVER}`,
  "--enable-tftp",
  `--tftp-root=${dir}`,
  "--tftp-max=100",
], { name: "dnsmasq" });
await dnsmasq.waitForOutput(/TFTP root is/, 10_000);
await Deno.writeTextFile(
  `${work}/nginx.conf`,
  `daemon off;
user root;
worker_processes auto;
pid ${work}/nginx.pid;
error_log stderr;
events {}
http {
  access_log ${work}/nginx-access.log;
  sendfile on;
  server { listen ${SERVER}:8081; root ${dir}; }
}
`,
);
await using nginx = net.spawn(net.serverNs, "nginx", [
  "-c",
  `${work}/nginx.conf`,
  "-e",
  "stderr",
], { name: "nginx" });
for (let i = 0; i < 100; i++) {
  const r = await net.run(net.clientNs, "curl", [
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    `http://${SERVER}:8081/1m.bin`,
  ], { check: false });
  if (r.stdout === "200") break;
  await new Promise((r) => setTimeout(r, 100));
}

/** Run CLIENTS copies of `command` at once in the client namespace; returns MB/s. */
async function round(
  command: (i: number) => string,
  expectBytes: number,
): Promise<number> {
  const out = `${work}/out`;
  await Deno.mkdir(out, { recursive: true });
  const script = Array.from(
    { length: CLIENTS },
    (_, i) => `(${command(i)}) > ${out}/log${i} 2>&1 &`,
  ).join("\n") + "\nwait\n";
  const began = performance.now();
  await net.run(net.clientNs, "sh", ["-c", script], { timeoutMs: 600_000 });
  const seconds = (performance.now() - began) / 1000;
  for (let i = 0; i < CLIENTS; i++) {
    const size = (await Deno.stat(`${out}/f${i}`).catch(() => undefined))
      ?.size;
    if (size !== expectBytes) {
      const log = await Deno.readTextFile(`${out}/log${i}`).catch(() => "");
      throw new Error(
        `client ${i} got ${size} bytes, want ${expectBytes}: ${log}`,
      );
    }
  }
  await Deno.remove(out, { recursive: true });
  return (CLIENTS * expectBytes) / seconds / 1e6;
}

const tftpClients = {
  "curl blksize 1468": (port: number, file: FileName) => (i: number) =>
    `curl -sS --tftp-blksize 1468 tftp://${SERVER}:${port}/${file} -o ${work}/out/f${i}`,
  "atftp blksize 1468 windowsize 8":
    (port: number, file: FileName) => (i: number) =>
      `atftp --option 'blksize 1468' --option 'windowsize 8' -g -r ${file} -l ${work}/out/f${i} ${SERVER} ${port}`,
};
const rows: string[] = [];
const progress = (row: string) => {
  rows.push(row);
  console.error(row);
};
for (const file of Object.keys(SIZES) as FileName[]) {
  for (const [client, make] of Object.entries(tftpClients)) {
    const ourRates: number[] = [];
    const theirRates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      theirRates.push(await round(make(69, file), SIZES[file]));
      ourRates.push(await round(make(6969, file), SIZES[file]));
    }
    const o = median(ourRates);
    const t = median(theirRates);
    progress(
      `| TFTP ${file}, ${client} | ${o.toFixed(1)} | dnsmasq ${
        t.toFixed(1)
      } | ${(o / t).toFixed(2)}x |`,
    );
  }
}
{
  const http = (port: number) => (i: number) =>
    `curl -sS http://${SERVER}:${port}/30m.bin -o ${work}/out/f${i}`;
  const ourRates: number[] = [];
  const theirRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    theirRates.push(await round(http(8081), SIZES["30m.bin"]));
    ourRates.push(await round(http(8080), SIZES["30m.bin"]));
  }
  const o = median(ourRates);
  const t = median(theirRates);
  progress(
    `| HTTP 30m.bin, curl | ${o.toFixed(1)} | nginx ${t.toFixed(1)} | ${
      (o / t).toFixed(2)
    }x |`,
  );
}
const status = await Deno.readTextFile(`/proc/${ours.pid}/status`);
const hwm = /VmHWM:\s*(\d+) kB/.exec(status)?.[1];

console.log(
  `${CLIENTS} concurrent clients, median of ${rounds} rounds, MB/s aggregate\n`,
);
console.log("| run | dhcp-nats | peer | ratio |");
console.log("| --- | --- | --- | --- |");
for (const row of rows) console.log(row);
console.log(
  `\npeak RSS of the DHCP server role (VmHWM): ${
    hwm ? (Number(hwm) / 1024).toFixed(0) : "?"
  } MiB (${
    idleRss ? (Number(idleRss) / 1024).toFixed(0) : "?"
  } MiB when it had just started)`,
);
await Deno.remove(work, { recursive: true });
void nginx;
