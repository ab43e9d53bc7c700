/**
 * Fixtures of the NATS backend tests: replies exactly as tinkerbell/dhcp's Go
 * responder sends them, a raw nats.js responder (no code of ours) that checks
 * each request by Go's decoding rules, and a nats-server per test.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../_helpers/nats_server.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

export const enc = new TextEncoder();
const dec = new TextDecoder();
export const MAC = "08:00:27:29:4e:67";

/** A reply envelope as Go's cloudevents/sdk-go writes it. */
export function goEnvelope(data: unknown): Uint8Array {
  return enc.encode(JSON.stringify({
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "/tinkerbell/backend",
    type: "org.tinkerbell.backend.read",
    datacontenttype: "application/json",
    time: "2024-05-01T10:00:00.123456789Z",
    data,
  }));
}

export const GO_DHCP = {
  MACAddress: MAC,
  IPAddress: "192.168.2.153",
  SubnetMask: "255.255.255.0",
  DefaultGateway: "192.168.2.1",
  NameServers: ["8.8.8.8", "1.1.1.1"],
  Hostname: "pxe-virtualbox",
  DomainName: "example.com",
  BroadcastAddress: "192.168.2.255",
  NTPServers: ["132.163.96.2"],
  LeaseTime: 86400,
  DomainSearch: ["example.com"],
};
export const GO_NETBOOT = {
  AllowNetboot: true,
  IPXEScriptURL: {
    Scheme: "https",
    Opaque: "",
    User: null,
    Host: "boot.netboot.xyz",
    Path: "/",
    RawPath: "",
    ForceQuery: false,
    RawQuery: "",
    Fragment: "",
    RawFragment: "",
  },
};
export const EXPECTED: Reservation = {
  macAddress: MAC,
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["8.8.8.8", "1.1.1.1"],
  hostname: "pxe-virtualbox",
  domainName: "example.com",
  broadcastAddress: "192.168.2.255",
  ntpServers: ["132.163.96.2"],
  leaseTime: 86400,
  domainSearch: ["example.com"],
  netboot: { allowNetboot: true, ipxeScriptUrl: "https://boot.netboot.xyz/" },
};

/** Checks a request the way a Go responder decodes it; returns the MAC. */
export function goDecodeRequest(
  msg: Msg,
): { mac: string; traceparent: string } {
  assert.equal(msg.headers, undefined, "no NATS headers, like nats.go");
  const event = JSON.parse(dec.decode(msg.data));
  assert.equal(event.specversion, "1.0");
  assert.equal(event.type, "org.tinkerbell.backend.read");
  assert.equal(event.source, "/tinkerbell/dhcp");
  assert.equal(event.datacontenttype, "application/json");
  assert.equal(typeof event.id, "string");
  assert.equal(typeof event.data, "object", "data is an inline object");
  assert.deepEqual(Object.keys(event.data).sort(), [
    "MacAddress",
    "Traceparent",
  ]);
  const bytes = Uint8Array.from(
    atob(event.data.MacAddress),
    (c) => c.charCodeAt(0),
  );
  const mac = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(
    ":",
  );
  assert.equal(event.subject, mac);
  return { mac, traceparent: event.data.Traceparent };
}

/** A raw nats.js responder (no code of ours) answering like a Go backend. */
export function goResponder(
  nc: NatsConnection,
  subject: string,
  answer: (
    mac: string,
    msg: Msg,
  ) => Uint8Array | undefined | Promise<Uint8Array | undefined>,
) {
  const seen: string[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_err, msg) => {
      // A request Go could not decode fails the test (unhandled rejection).
      const { mac } = goDecodeRequest(msg);
      seen.push(mac);
      void Promise.resolve(answer(mac, msg)).then((reply) => {
        if (reply) msg.respond(reply);
      });
    },
  });
  return { seen, sub };
}

export async function withNats(
  fn: (nc: NatsConnection, url: string) => Promise<void>,
): Promise<void> {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    await fn(nc, nats.url);
  } finally {
    await nc.close();
  }
}
