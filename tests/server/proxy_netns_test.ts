/**
 * proxyDHCP on a real link (root only): dnsmasq gives out the addresses,
 * our server runs with --proxy (or --proxy-all) beside it, and dnsmasq's
 * own proxy mode runs beside both as the reference. Every DHCP and PXE
 * datagram on the link is captured and read byte by byte.
 */
import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { runDhclient, runUdhcpc } from "../_helpers/dhcp_clients.ts";
import { canCreateNamespaces } from "../_helpers/netns.ts";
import {
  type CapturedDatagram,
  startCapture,
} from "../_helpers/packet_capture.ts";
import { cString, ipAt, rawOptions } from "./_support.ts";
import {
  ADDRESS_SERVER_IP,
  createProxyLab,
  DNSMASQ_PROXY_IP,
  OUR_IP,
} from "../_helpers/proxy_lab.ts";

const KNOWN = "52:54:00:aa:00:01";
const UNKNOWN = "52:54:00:aa:00:02";
const PLAIN_UDHCPC = "52:54:00:aa:00:03";
const PLAIN_DHCLIENT = "52:54:00:aa:00:04";
const KNOWN_BIOS = "52:54:00:aa:00:06";
const LEASE_OPTIONS = [1, 3, 6, 12, 15, 28, 42, 51, 58, 59, 119, 121];
const FILTER = "udp port 67 or udp port 68 or udp port 4011";

const host = (mac: string, n: number): Reservation => ({
  macAddress: mac,
  ipAddress: `10.77.0.${n}`,
  netboot: { allowNetboot: true },
});

/** A captured BOOTP message, read without the codec. */
function read(d: CapturedDatagram) {
  const p = d.payload;
  const o = rawOptions(p);
  const text = (code: number) =>
    o.has(code)
      ? new TextDecoder().decode(Uint8Array.from(o.get(code)!))
      : undefined;
  return {
    d,
    o,
    op: p[0],
    type: o.get(53)?.[0],
    xid: new DataView(p.buffer, p.byteOffset).getUint32(4),
    flags: p[10] << 8 | p[11],
    chaddr: Array.from(
      p.subarray(28, 34),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join(":"),
    ciaddr: ipAt(p, 12),
    yiaddr: ipAt(p, 16),
    siaddr: ipAt(p, 20),
    sname: cString(p, 44, 64),
    file: cString(p, 108, 128),
    text,
  };
}
type Read = ReturnType<typeof read>;

function logLine(mac: string, reason: string): RegExp {
  return new RegExp(`^(?=.*"mac":"${mac}")(?=.*"reason":"${reason}").*$`, "m");
}

/** What a proxy reply must have, whoever sent it. */
function assertProxyShape(
  r: Read,
  serverIp: string,
  request: Read,
  vendor = "PXEClient",
) {
  assert.equal(r.op, 2);
  assert.equal(r.yiaddr, "0.0.0.0", "no address in a proxy reply");
  assert.deepEqual(r.o.get(54), serverIp.split(".").map(Number));
  assert.equal(r.text(60), vendor);
  assert.deepEqual(r.o.get(97), request.o.get(97), "97 echoed");
  for (const code of LEASE_OPTIONS) {
    assert.equal(r.o.has(code), false, `option ${code} from ${serverIp}`);
  }
  assert.equal(r.flags, request.flags);
}

/** One comparable row per reply, for the printed comparison. */
function summary(r: Read) {
  return {
    from: `${r.d.srcIp}:${r.d.srcPort}`,
    to: `${r.d.dstIp}:${r.d.dstPort}`,
    yiaddr: r.yiaddr,
    ciaddr: r.ciaddr,
    siaddr: r.siaddr,
    sname: r.sname,
    file: r.file,
    options: r.o.order.join(","),
    "43": r.o.get(43)?.slice(0, 3).join(",") ?? "-",
  };
}

Deno.test({
  name:
    "proxy netns - beside dnsmasq: a PXE client gets dnsmasq's address and our boot offer and port 4011 ACK, matching dnsmasq's proxy mode; unknown MACs and plain clients get nothing from us",
  ignore: !canCreateNamespaces(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using lab = await createProxyLab([
    host(KNOWN, 60),
    host(PLAIN_UDHCPC, 61),
    host(PLAIN_DHCLIENT, 62),
    host(KNOWN_BIOS, 63),
  ]);
  await lab.startAddressServer();
  const ours = await lab.startOurs(["--proxy"]);
  await lab.startDnsmasqProxy([
    `--pxe-service=x86-64_EFI,Boot,ipxe.efi,${DNSMASQ_PROXY_IP}`,
    `--pxe-service=x86PC,Boot,undionly,${DNSMASQ_PROXY_IP}`,
  ]);
  await using capture = await startCapture(lab.lab.name, "br0", {
    filter: FILTER,
  });

  // A UEFI PXE client: dnsmasq's address, both proxies' offers, and the
  // port 4011 exchange with each proxy.
  const known = await lab.attach("pxc", { mac: KNOWN });
  const pxe = await lab.pxeClient(known, {
    mac: KNOWN,
    arch: 7,
    expectProxy: 2,
    pxeRequest: true,
  });
  assert.equal(pxe.error, undefined, JSON.stringify(pxe));
  assert.equal(pxe.ack?.serverId, ADDRESS_SERVER_IP);
  assert.match(pxe.address!, /^10\.77\.0\.1[0-5]\d$/);
  assert.deepEqual(
    pxe.pxeAcks.map((a) => a.from).sort(),
    [`${DNSMASQ_PROXY_IP}:4011`, `${OUR_IP}:4011`].sort(),
  );

  // A BIOS PXE client: both proxies offer (dnsmasq a boot menu).
  const bios = await lab.attach("pxc", { mac: KNOWN_BIOS });
  const b = await lab.pxeClient(bios, {
    mac: KNOWN_BIOS,
    arch: 0,
    expectProxy: 2,
  });
  assert.equal(b.error, undefined, JSON.stringify(b));

  // A PXE client without a reservation: dnsmasq's proxy answers it, we not.
  const unknown = await lab.attach("pxc", { mac: UNKNOWN });
  const u = await lab.pxeClient(unknown, {
    mac: UNKNOWN,
    arch: 7,
    expectProxy: 1,
  });
  assert.equal(u.error, undefined, JSON.stringify(u));
  await ours.waitForOutput(logLine(UNKNOWN, "unknownMac"), 20_000);

  // Plain DHCP clients whose hosts even allow netboot: never answered.
  const plain1 = await lab.attach("pxc", { mac: PLAIN_UDHCPC });
  const l1 = await runUdhcpc(plain1.ns.name, plain1.iface);
  assert.equal(l1.serverId, ADDRESS_SERVER_IP);
  await ours.waitForOutput(logLine(PLAIN_UDHCPC, "notNetbootClient"), 20_000);
  const plain2 = await lab.attach("pxc", { mac: PLAIN_DHCLIENT });
  const l2 = await runDhclient(plain2.ns.name, plain2.iface, {
    vendorClass: "PXEClient", // option 60 alone does not make a PXE client
  });
  assert.equal(l2.serverId, ADDRESS_SERVER_IP);
  await ours.waitForOutput(
    logLine(PLAIN_DHCLIENT, "notNetbootClient"),
    20_000,
  );

  // Everything the assertions below look at, before the capture stops.
  const all = (await capture.stop({
    until: (packets) => {
      const seen = packets.map(read);
      const has = (ip: string, type: number, mac: string, port?: number) =>
        seen.some((r) =>
          r.d.srcIp === ip && r.type === type && r.chaddr === mac &&
          (port === undefined || r.d.srcPort === port)
        );
      return seen.some((r) =>
        r.chaddr === KNOWN && r.op === 1 && r.type === 1
      ) &&
        [OUR_IP, DNSMASQ_PROXY_IP].every((ip) =>
          has(ip, 2, KNOWN) && has(ip, 2, KNOWN_BIOS) &&
          has(ip, 5, KNOWN, 4011)
        );
    },
  })).map(read);
  const fromUs = all.filter((r) => r.d.srcIp === OUR_IP);
  assert.deepEqual(
    [...new Set(fromUs.map((r) => r.chaddr))],
    [KNOWN, KNOWN_BIOS],
    "we answered only the PXE clients with a reservation",
  );
  assert.ok(fromUs.every((r) => r.type === 2 || r.type === 5), "never a NAK");

  const discover = all.find((r) =>
    r.chaddr === KNOWN && r.op === 1 && r.type === 1
  )!;
  const offerFrom = (ip: string, mac = KNOWN) =>
    all.find((r) => r.d.srcIp === ip && r.type === 2 && r.chaddr === mac)!;
  const pxeAckFrom = (ip: string) =>
    all.find((r) =>
      r.d.srcIp === ip && r.type === 5 && r.chaddr === KNOWN &&
      r.d.srcPort === 4011
    )!;
  const ourOffer = offerFrom(OUR_IP);
  const theirOffer = offerFrom(DNSMASQ_PROXY_IP);
  const ourAck = pxeAckFrom(OUR_IP);
  const theirAck = pxeAckFrom(DNSMASQ_PROXY_IP);
  const pxeRequest = all.find((r) =>
    r.op === 1 && r.d.dstIp === OUR_IP && r.d.dstPort === 4011
  )!;
  const ourBios = offerFrom(OUR_IP, KNOWN_BIOS);
  const theirBios = offerFrom(DNSMASQ_PROXY_IP, KNOWN_BIOS);
  console.table({
    "ours OFFER": summary(ourOffer),
    "dnsmasq OFFER": summary(theirOffer),
    "ours OFFER (BIOS)": summary(ourBios),
    "dnsmasq OFFER (BIOS)": summary(theirBios),
    "ours 4011 ACK": summary(ourAck),
    "dnsmasq 4011 ACK": summary(theirAck),
  });

  // What both proxies do alike.
  for (
    const [r, ip] of [[ourOffer, OUR_IP], [
      theirOffer,
      DNSMASQ_PROXY_IP,
    ]] as const
  ) {
    assertProxyShape(r, ip, discover);
    assert.equal(r.d.srcPort, 67);
    assert.equal(r.d.dstIp, "255.255.255.255", "proxy offers are broadcast");
    assert.equal(r.d.dstPort, 68);
    assert.equal(r.d.dstMac, "ff:ff:ff:ff:ff:ff");
    assert.equal(r.ciaddr, "0.0.0.0");
  }
  for (
    const [r, ip] of [[ourAck, OUR_IP], [theirAck, DNSMASQ_PROXY_IP]] as const
  ) {
    assertProxyShape(r, ip, pxeRequest);
    assert.equal(r.d.dstIp, pxe.address, "the 4011 ACK goes to the client");
    assert.equal(r.d.dstPort, 4011, "... at its source port");
    assert.equal(r.ciaddr, pxe.address);
    assert.equal(r.siaddr, ip, "siaddr: the TFTP server");
    assert.equal(r.file, "ipxe.efi");
  }
  // Where we differ on purpose: the boot file is in our offer already
  // (option 43 discovery control 8, siaddr, file), so EDK2 and iPXE need
  // no port 4011 exchange; dnsmasq sends a UEFI client no option 43 and
  // no file in the offer and waits for that exchange.
  assert.deepEqual(ourOffer.o.get(43)?.slice(0, 3), [6, 1, 8]);
  assert.equal(ourOffer.siaddr, OUR_IP);
  assert.equal(ourOffer.file, "ipxe.efi");
  assert.equal(ourOffer.text(67), "ipxe.efi");
  assert.deepEqual(ourAck.o.get(43)?.slice(0, 3), [6, 1, 8]);
  // To a BIOS client dnsmasq offers a boot menu (discovery control 3,
  // sub-options 8, 9, 10, End) and no file; we the file and control 8.
  const biosDiscover = all.find((r) =>
    r.chaddr === KNOWN_BIOS && r.op === 1 && r.type === 1
  )!;
  assertProxyShape(ourBios, OUR_IP, biosDiscover);
  assertProxyShape(theirBios, DNSMASQ_PROXY_IP, biosDiscover);
  assert.deepEqual(theirBios.o.get(43)?.slice(0, 3), [6, 1, 3]);
  assert.equal(theirBios.o.get(43)?.at(-1), 255);
  assert.equal(theirBios.file, "");
  assert.deepEqual(ourBios.o.get(43)?.slice(0, 3), [6, 1, 8]);
  assert.equal(ourBios.file, "undionly.kpxe");
  // Our server ignored the REQUEST that named dnsmasq.
  assert.equal(
    fromUs.filter((r) => r.d.srcPort === 67 && r.type === 5).length,
    0,
  );
});

Deno.test({
  name:
    "proxy netns - --proxy-all answers a BIOS PXE client and a UEFI HTTP boot client that have no reservation, on port 67 and 4011",
  ignore: !canCreateNamespaces(),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using lab = await createProxyLab([]);
  await lab.startAddressServer();
  await lab.startOurs(["--proxy-all"]);
  await using capture = await startCapture(lab.lab.name, "br0", {
    filter: FILTER,
  });
  const client = await lab.attach("pxc", { mac: UNKNOWN });
  const r = await lab.pxeClient(client, {
    mac: UNKNOWN,
    arch: 0,
    expectProxy: 1,
    pxeRequest: true,
  });
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.equal(r.pxeAcks[0]?.from, `${OUR_IP}:4011`);
  const HTTP_CLIENT = "52:54:00:aa:00:05";
  const http = await lab.attach("pxc", { mac: HTTP_CLIENT });
  const h = await lab.pxeClient(http, {
    mac: HTTP_CLIENT,
    arch: 16,
    vendor: "HTTPClient",
    expectProxy: 1,
  });
  assert.equal(h.error, undefined, JSON.stringify(h));
  const all = (await capture.stop({
    until: (packets) =>
      [UNKNOWN, HTTP_CLIENT].every((mac) =>
        packets.map(read).some((x) =>
          x.chaddr === mac && x.d.srcIp === OUR_IP && x.type === 2
        ) &&
        packets.map(read).some((x) =>
          x.chaddr === mac && x.op === 1 && x.type === 1
        )
      ),
  })).map(read);
  const exchange = (mac: string) => ({
    discover: all.find((x) => x.chaddr === mac && x.op === 1 && x.type === 1)!,
    offer: all.find((x) =>
      x.chaddr === mac && x.d.srcIp === OUR_IP && x.type === 2
    )!,
  });
  const bios = exchange(UNKNOWN);
  assertProxyShape(bios.offer, OUR_IP, bios.discover);
  assert.equal(bios.offer.d.dstIp, "255.255.255.255");
  assert.equal(bios.offer.file, "undionly.kpxe");
  assert.equal(bios.offer.siaddr, OUR_IP);
  const uefiHttp = exchange(HTTP_CLIENT);
  assertProxyShape(uefiHttp.offer, OUR_IP, uefiHttp.discover, "HTTPClient");
  assert.equal(uefiHttp.offer.file, `http://${OUR_IP}:8080/ipxe/ipxe.efi`);
  assert.equal(uefiHttp.offer.siaddr, OUR_IP);
});
