import assert from "node:assert/strict";
import { canCreateNamespaces, createNetworkPair } from "../_helpers/netns.ts";
import { runUdhcpc } from "../_helpers/dhcp_clients.ts";
import { startDnsmasq } from "../_helpers/dnsmasq.ts";
import {
  dhcpMessageType,
  parsePcap,
  startCapture,
} from "../_helpers/packet_capture.ts";

const MAC = "02:00:00:77:00:60";

Deno.test({
  name:
    "packet capture - sees a udhcpc exchange with dnsmasq as it was on the wire",
  ignore: !canCreateNamespaces(),
  async fn() {
    await using net = await createNetworkPair();
    await using _dnsmasq = await startDnsmasq(net.serverNs.name, {
      interfaces: [net.serverIf],
      subnets: [{ network: "10.77.0.0", mask: "255.255.255.0" }],
      reservations: [{ mac: MAC, ip: "10.77.0.60" }],
    });
    await using cap = await startCapture(net.serverNs.name, net.serverIf);
    await runUdhcpc(net.clientNs.name, net.clientIf, {
      mac: MAC,
      timeoutMs: 15000,
    });
    const packets = await cap.stop();
    assert.deepEqual(packets.map((p) => dhcpMessageType(p.payload)), [
      1,
      2,
      3,
      5,
    ]);
    const [discover, offer] = packets;
    assert.equal(discover.srcMac, MAC);
    assert.equal(discover.dstMac, "ff:ff:ff:ff:ff:ff");
    assert.deepEqual(
      [discover.srcIp, discover.srcPort, discover.dstIp, discover.dstPort],
      ["0.0.0.0", 68, "255.255.255.255", 67],
    );
    assert.deepEqual([offer.srcIp, offer.srcPort, offer.dstPort], [
      "10.77.0.1",
      67,
      68,
    ]);
    // yiaddr (bytes 16..19) of the OFFER is the reservation.
    assert.deepEqual(Array.from(offer.payload.subarray(16, 20)), [
      10,
      77,
      0,
      60,
    ]);
    // Same transaction ID (bytes 4..7) throughout.
    const xid = (p: Uint8Array) =>
      new DataView(p.buffer, p.byteOffset).getUint32(4);
    assert.equal(new Set(packets.map((p) => xid(p.payload))).size, 1);
    assert.ok(
      packets.every((p, i) => i === 0 || p.time >= packets[i - 1].time),
    );
  },
});

Deno.test("packet capture - parsePcap() rejects a file that is not an Ethernet pcap", () => {
  assert.throws(() => parsePcap(new Uint8Array(10)), /shorter than its header/);
  assert.throws(() => parsePcap(new Uint8Array(24)), /bad magic number 0x0/);
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint32(20, 113, true); // Linux cooked capture
  assert.throws(() => parsePcap(header), /link type 113 is not Ethernet/);
  view.setUint32(20, 1, true);
  assert.deepEqual(parsePcap(header), []);
});

Deno.test("packet capture - dhcpMessageType() scans options past pads and stops at the end", () => {
  const msg = new Uint8Array(250);
  msg.set([99, 130, 83, 99], 236);
  msg.set([0, 0, 12, 2, 104, 105, 53, 1, 3, 255], 240);
  assert.equal(dhcpMessageType(msg), 3);
  msg.set([255], 240);
  assert.equal(dhcpMessageType(msg), undefined);
});
