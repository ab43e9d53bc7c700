/**
 * Real client packets (tests/testdata/golden: dhclient, udhcpc, dhcpcd, a
 * PXE-shaped dhclient and a relayed dhclient, captured against dnsmasq)
 * fed to our server's processor; our replies are then checked by tshark's
 * DHCP dissector, an independent reference.
 */
import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { ALWAYS_SENT } from "../../lib/server/reply_options.ts";
import { cString, ipAt, processor, rawOptions } from "./_support.ts";

const GOLDEN = new URL("../testdata/golden/", import.meta.url);
const load = (name: string) =>
  Deno.readFileSync(new URL(`${name}.bin`, GOLDEN));

const CLIENTS = {
  dhclient: { mac: "02:00:00:77:00:11", ip: "10.77.0.11" },
  udhcpc: { mac: "02:00:00:77:00:12", ip: "10.77.0.12" },
  dhcpcd: { mac: "02:00:00:77:00:13", ip: "10.77.0.13" },
  pxe: { mac: "02:00:00:77:00:14", ip: "10.77.0.14" },
  relayed: { mac: "02:00:00:77:00:15", ip: "10.78.0.15" },
} as const;

const table: Reservation[] = Object.entries(CLIENTS).map(([name, c]) => ({
  macAddress: c.mac,
  ipAddress: c.ip,
  subnetMask: "255.255.255.0",
  defaultGateway: name === "relayed" ? "10.78.0.1" : "10.77.0.1",
  nameServers: ["10.77.0.53", "10.77.0.54"],
  hostname: `golden-${name}`,
  domainName: "example.test",
  domainSearch: ["example.test", "lab.example.test"],
  ntpServers: ["10.77.0.123"],
  leaseTime: 3600,
  netboot: { allowNetboot: true },
}));

const hasTshark = (() => {
  try {
    return new Deno.Command("tshark", {
      args: ["-v"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success &&
      new Deno.Command("text2pcap", {
        args: ["-v"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
  } catch {
    return false;
  }
})();

function hexDump(packets: Uint8Array[]): string {
  return packets.map((p) => {
    const lines: string[] = [];
    for (let i = 0; i < p.length; i += 16) {
      const bytes = Array.from(
        p.subarray(i, i + 16),
        (b) => b.toString(16).padStart(2, "0"),
      );
      lines.push(`${i.toString(16).padStart(6, "0")} ${bytes.join(" ")}`);
    }
    return lines.join("\n");
  }).join("\n\n") + "\n";
}

async function dissect(
  packets: Uint8Array[],
): Promise<Record<string, unknown>[]> {
  const dir = await Deno.makeTempDir({ prefix: "dhcp-golden-" });
  try {
    await Deno.writeTextFile(`${dir}/in.txt`, hexDump(packets));
    const t2p = await new Deno.Command("text2pcap", {
      args: [
        "-q",
        "-4",
        "10.77.0.1,255.255.255.255",
        "-u",
        "67,68",
        `${dir}/in.txt`,
        `${dir}/out.pcap`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(t2p.success, new TextDecoder().decode(t2p.stderr));
    const ts = await new Deno.Command("tshark", {
      args: ["-r", `${dir}/out.pcap`, "-T", "json", "--no-duplicate-keys"],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(ts.success);
    // deno-lint-ignore no-explicit-any
    return JSON.parse(new TextDecoder().decode(ts.stdout)).map((p: any) =>
      p._source.layers
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("golden - real client packets get the reservation; tshark reads our replies cleanly", async () => {
  const direct = processor(new MemoryBackend(table), {
    serverIp: "10.77.0.1",
    netboot: { tftpServer: "10.77.0.5" },
  });
  // dnsmasq answered the relay from its 10.77.1.1 leg, so the relayed REQUEST names that server.
  const viaRelay = processor(new MemoryBackend(table), {
    serverIp: "10.77.1.1",
  });
  const replies: Uint8Array[] = [];
  const expected: { name: string; type: number; ip: string }[] = [];
  for (const [name, client] of Object.entries(CLIENTS)) {
    const relayed = name === "relayed";
    const p = relayed ? viaRelay : direct;
    const serverId = relayed ? [10, 77, 1, 1] : [10, 77, 0, 1];
    const source = relayed
      ? { address: "10.78.0.1", port: 67 }
      : { address: "0.0.0.0", port: 68 };
    for (
      const [step, type] of [["01_discover", 2], ["03_request", 5]] as const
    ) {
      const request = load(`${name}_${step}`);
      const out = await p.process(request, source);
      assert.ok(out, `${name} ${step} gets a reply`);
      const o = rawOptions(out.bytes);
      assert.deepEqual(o.get(53), [type], `${name} ${step}`);
      assert.equal(ipAt(out.bytes, 16), client.ip, `${name} yiaddr`);
      assert.deepEqual(o.get(54), serverId);
      // Only requested options, plus the essentials, in the client's order.
      const prl = rawOptions(request).get(55)!;
      for (const code of o.order) {
        assert.ok(
          prl.includes(code) || ALWAYS_SENT.has(code) || code === 61 ||
            code === 82,
          `${name}: option ${code}`,
        );
      }
      const requestedOrder = o.order.filter((c) =>
        prl.includes(c) && ![53, 54, 51, 58, 59].includes(c)
      );
      assert.deepEqual(
        requestedOrder,
        prl.filter((c) => requestedOrder.includes(c)),
        `${name} order`,
      );
      if (relayed) {
        assert.deepEqual(out.destination, {
          address: "10.78.0.1",
          port: 67,
          rule: "relay",
        });
      } else {
        assert.equal(out.destination.address, "255.255.255.255");
      }
      if (name === "pxe") {
        assert.equal(cString(out.bytes, 108, 128), "ipxe.efi");
        assert.equal(ipAt(out.bytes, 20), "10.77.0.5");
        assert.deepEqual(o.get(97), rawOptions(request).get(97));
      }
      replies.push(out.bytes);
      expected.push({ name, type, ip: client.ip });
    }
    assert.equal(
      await p.process(load(`${name}_05_release`), source),
      undefined,
    );
  }
  assert.equal(direct.counters.snapshot().packetsIn.RELEASE, 4);
  assert.equal(viaRelay.counters.snapshot().packetsIn.RELEASE, 1);
  // The relayed REQUEST names 10.77.1.1: a server with another identifier ignores it.
  assert.equal(
    await direct.process(load("relayed_03_request"), {
      address: "10.78.0.1",
      port: 67,
    }),
    undefined,
  );

  if (!hasTshark) return;
  const layers = await dissect(replies);
  assert.equal(layers.length, replies.length);
  layers.forEach((l, i) => {
    // deno-lint-ignore no-explicit-any
    const dhcp = l.dhcp as any;
    assert.ok(dhcp, `reply ${i} is dissected as DHCP`);
    assert.equal(l._ws_malformed, undefined, `reply ${i} is not malformed`);
    assert.equal(dhcp["dhcp.ip.your"], expected[i].ip);
    assert.equal(dhcp["dhcp.type"], "2"); // BOOTREPLY
    const tree = [dhcp["dhcp.option.type_tree"]].flat();
    assert.equal(
      tree.at(-1)["dhcp.option.end"],
      "255",
      `reply ${i} ends with End`,
    );
    assert.equal(
      tree.find((t) => t["dhcp.option.dhcp"])?.["dhcp.option.dhcp"],
      String(expected[i].type),
    );
    // Every expert note tshark raises, except the one for tinkerbell's PXE
    // sub-option 69 (the traceparent), which tshark has no dissector for.
    const notes = [
      ...JSON.stringify(dhcp).matchAll(/"_ws\.expert\.message":"([^"]*)"/g),
    ]
      .map((m) => m[1])
      .filter((m) => !/Unknown subopt type handler 69/.test(m));
    assert.deepEqual(notes, [], `reply ${i}`);
  });
});

Deno.test("golden - dhclient's INIT-REBOOT gets a NAK shaped like dnsmasq's; dhcpcd's INFORM gets an ACK without a lease", async () => {
  const hosts: Reservation[] = [
    {
      macAddress: "02:00:00:77:00:17",
      ipAddress: "10.77.0.17",
      subnetMask: "255.255.255.0",
    },
    {
      macAddress: "02:00:00:77:00:18",
      ipAddress: "10.77.0.18",
      subnetMask: "255.255.255.0",
      defaultGateway: "10.77.0.1",
      leaseTime: 3600,
    },
  ];
  const p = processor(new MemoryBackend(hosts), { serverIp: "10.77.0.1" });
  const from68 = { address: "0.0.0.0", port: 68 };
  const nak = await p.process(load("nak_01_request"), from68);
  assert.ok(nak);
  const theirs = rawOptions(load("nak_02_nak"));
  const ours = rawOptions(nak.bytes);
  assert.deepEqual(ours.order, theirs.order); // 53, 54, 56
  assert.deepEqual(ours.get(53), theirs.get(53));
  assert.deepEqual(ours.get(54), theirs.get(54));
  assert.equal(ipAt(nak.bytes, 16), "0.0.0.0");
  assert.equal(nak.destination.address, "255.255.255.255");
  // The rest of that exchange: DISCOVER and REQUEST for the reservation.
  assert.equal(
    ipAt((await p.process(load("nak_03_discover"), from68))!.bytes, 16),
    "10.77.0.17",
  );
  assert.deepEqual(
    rawOptions((await p.process(load("nak_05_request"), from68))!.bytes).get(
      53,
    ),
    [5],
  );

  const ack = await p.process(load("inform_01_inform"), {
    address: "10.77.0.18",
    port: 68,
  });
  assert.ok(ack);
  const o = rawOptions(ack.bytes);
  assert.deepEqual(o.get(53), [5]);
  assert.equal(ipAt(ack.bytes, 16), "0.0.0.0");
  assert.equal(ipAt(ack.bytes, 12), "10.77.0.18"); // ciaddr kept
  for (const code of [51, 58, 59]) assert.equal(o.has(code), false);
  assert.deepEqual(ack.destination, {
    address: "10.77.0.18",
    port: 68,
    rule: "ciaddr",
  });
});

Deno.test("golden - dhcrelay's option 82 is echoed byte for byte, last, and the reply goes to giaddr", async () => {
  const p = processor(
    new MemoryBackend([{
      macAddress: "02:00:00:77:00:16",
      ipAddress: "10.78.0.16",
      subnetMask: "255.255.255.0",
    }]),
    { serverIp: "10.77.1.1" },
  );
  for (
    const [name, type] of [["relayed82_01_discover", 2], [
      "relayed82_03_request",
      5,
    ]] as const
  ) {
    const request = load(name);
    const out = await p.process(request, { address: "10.77.1.2", port: 67 });
    assert.ok(out, name);
    const o = rawOptions(out.bytes);
    assert.deepEqual(o.get(53), [type]);
    assert.deepEqual(o.get(82), rawOptions(request).get(82));
    assert.equal(o.order.at(-1), 82);
    assert.equal(ipAt(out.bytes, 24), "10.78.0.1");
    assert.deepEqual(out.destination, {
      address: "10.78.0.1",
      port: 67,
      rule: "relay",
    });
  }
});
