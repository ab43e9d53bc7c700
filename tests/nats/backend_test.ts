import assert from "node:assert/strict";
import { CloudEvent } from "cloudevents";
import { connect } from "@nats-io/transport-node";
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import { NatsBackend } from "../../lib/nats/backend.ts";
import { BackendError, InvalidReplyError } from "../../lib/nats/errors.ts";
import {
  InvalidEventError,
  LookupTimeoutError,
  NoResponderError,
} from "../../lib/cloudevents/errors.ts";
import { serveEvents } from "../../lib/cloudevents/request.ts";
import { createEvent } from "../../lib/cloudevents/event.ts";
import { encodeBinary } from "../../lib/cloudevents/nats_binding.ts";
import { decodeLookupRequest, encodeLookupReply } from "../../lib/nats/wire.ts";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { createLogger } from "../../lib/log/logger.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const MAC = "08:00:27:29:4e:67";

/** A reply envelope as Go's cloudevents/sdk-go writes it. */
function goEnvelope(data: unknown): Uint8Array {
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

const GO_DHCP = {
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
const GO_NETBOOT = {
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
const EXPECTED: Reservation = {
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
function goDecodeRequest(msg: Msg): { mac: string; traceparent: string } {
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
function goResponder(
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

async function withNats(
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

Deno.test("nats backend - reads a Go v2 reply and sends what Go decodes", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(
      nc,
      "g.v2",
      () =>
        goEnvelope({
          DHCP: GO_DHCP,
          Netboot: GO_NETBOOT,
          Error: { Code: 0, Message: "" },
        }),
    );
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.v2" });
    assert.deepEqual(await backend.lookup("08:00:27:29:4E:67"), EXPECTED);
    assert.deepEqual(seen, [MAC]);
    await backend.close(); // the caller's connection stays open
    assert.equal(nc.isClosed(), false);
  }));

Deno.test("nats backend - reads a Go v1 reply as netboot allowed", () =>
  withNats(async (nc) => {
    goResponder(nc, "g.v1", () => goEnvelope(GO_DHCP));
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.v1" });
    assert.deepEqual(await backend.lookup(MAC), {
      ...EXPECTED,
      netboot: { allowNetboot: true },
    });
  }));

Deno.test("nats backend - sends the caller's traceparent or a fresh one", () =>
  withNats(async (nc) => {
    const traces: string[] = [];
    nc.subscribe("g.trace", {
      callback: (_err, msg) => {
        traces.push(goDecodeRequest(msg).traceparent);
        msg.respond(goEnvelope({ IPAddress: "10.0.0.1" }));
      },
    });
    await nc.flush();
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      format: "json",
      write: (l) => lines.push(l),
    });
    const backend = new NatsBackend({ nc, subject: "g.trace", logger });
    const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await backend.lookup(MAC, { traceparent: tp });
    const line = JSON.parse(lines[0]);
    assert.equal(line.msg, "Lookup answered");
    assert.equal(line.mac, MAC);
    assert.equal(line.found, true);
    assert.equal(line.traceparent, tp);
    assert.equal(typeof line.ms, "number");
    await backend.lookup(MAC);
    assert.equal(traces[0], tp);
    assert.match(traces[1], /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.notEqual(traces[1], tp);
  }));

Deno.test("nats backend - round trip with our own responder pieces, Extensions included", () =>
  withNats(async (nc) => {
    const reservation: Reservation = {
      ...EXPECTED,
      macAddress: "aa:bb:cc:dd:ee:ff",
      extensions: {
        classlessStaticRoutes: [{
          destination: "10.0.0.0/8",
          router: "192.168.2.254",
        }],
        bootFileName: "ipxe.efi",
      },
    };
    const store = new MemoryBackend([reservation]);
    await using _service = serveEvents(nc, "g.ours", async (event) => {
      const { mac } = decodeLookupRequest(event.data);
      const data = encodeLookupReply(await store.lookup(mac), "v2");
      return new CloudEvent<unknown>({
        type: "org.tinkerbell.backend.read",
        source: "/dhcp-nats/responder",
        datacontenttype: "application/json",
        data,
      });
    });
    const backend = new NatsBackend({ nc, subject: "g.ours" });
    assert.deepEqual(await backend.lookup("aa:bb:cc:dd:ee:ff"), reservation);
    assert.equal(await backend.lookup("aa:bb:cc:dd:ee:00"), undefined);
  }));

Deno.test("nats backend - reads a binary-mode reply (ce-* headers)", () =>
  withNats(async (nc) => {
    nc.subscribe("g.binary", {
      callback: (_err, msg) => {
        goDecodeRequest(msg);
        const event = createEvent({
          type: "org.tinkerbell.backend.read",
          source: "/go",
          datacontenttype: "application/json",
          time: "2024-05-01T10:00:00.123456789Z",
          data: {
            DHCP: GO_DHCP,
            Netboot: GO_NETBOOT,
            Error: { Code: 0, Message: "" },
          },
        });
        const { payload, headers } = encodeBinary(event);
        msg.respond(payload, { headers });
      },
    });
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.binary" });
    assert.deepEqual(await backend.lookup(MAC), EXPECTED);
  }));

// Each MAC of this table makes the responder send one kind of bad reply.
const BAD: Record<string, [string, (mac: string) => Uint8Array | undefined]> = {
  "02:00:00:00:00:01": ["not JSON", () => enc.encode("<html>oops</html>")],
  "02:00:00:00:00:02": [
    "not a CloudEvent",
    () => enc.encode(JSON.stringify(GO_DHCP)),
  ],
  "02:00:00:00:00:03": ["data of the wrong shape", () => goEnvelope([1, 2, 3])],
  "02:00:00:00:00:04": [
    "v1 with an unknown key",
    (mac) => goEnvelope({ ...GO_DHCP, MACAddress: mac, Foo: "bar" }),
  ],
  "02:00:00:00:00:05": [
    "LeaseTime a string",
    (mac) => goEnvelope({ ...GO_DHCP, MACAddress: mac, LeaseTime: "86400" }),
  ],
  "02:00:00:00:00:06": [
    "404",
    () =>
      goEnvelope({
        DHCP: {},
        Netboot: {},
        Error: { Code: 404, Message: "not found" },
      }),
  ],
  "02:00:00:00:00:07": [
    "backend error",
    () =>
      goEnvelope({
        DHCP: {},
        Netboot: {},
        Error: { Code: 500, Message: "db down" },
      }),
  ],
  "02:00:00:00:00:08": ["no reply (slow responder)", () => undefined],
  "02:00:00:00:00:09": ["reply for another MAC", () => goEnvelope(GO_DHCP)],
  "02:00:00:00:00:0a": ["empty payload", () => new Uint8Array(0)],
  "02:00:00:00:00:0b": [
    "a CloudEvent without data",
    () => goEnvelope(undefined),
  ],
};

Deno.test("nats backend - each bad reply fails only its own lookup", () =>
  withNats(async (nc) => {
    goResponder(nc, "g.bad", (mac) => {
      if (mac === "02:00:00:00:00:ff") {
        return goEnvelope({
          ...GO_DHCP,
          MACAddress: mac,
          IPAddress: "10.9.9.9",
        });
      }
      return BAD[mac][1](mac);
    });
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.bad", timeout: 400 });
    const good = backend.lookup("02:00:00:00:00:ff");
    const results = await Promise.allSettled(
      Object.keys(BAD).map((mac) => backend.lookup(mac)),
    );
    assert.equal((await good)?.ipAddress, "10.9.9.9");
    const outcome = (i: number) => results[i];
    const failed = (
      i: number,
      cls: abstract new (...args: never[]) => Error,
      pattern: RegExp,
    ) => {
      const r = outcome(i);
      assert.equal(r.status, "rejected", Object.values(BAD)[i][0]);
      const err = (r as PromiseRejectedResult).reason;
      assert.ok(err instanceof cls, `${Object.values(BAD)[i][0]}: ${err}`);
      assert.match(err.message, pattern);
      assert.doesNotMatch(err.message, /\.$/);
    };
    failed(0, InvalidEventError, /payload is not JSON/);
    failed(1, InvalidEventError, /required attribute specversion is missing/);
    failed(2, InvalidReplyError, /the data is an array, want a JSON object/);
    failed(3, InvalidReplyError, /DHCP\.Foo is not a known DHCP field/);
    failed(4, InvalidReplyError, /DHCP\.LeaseTime is a string, want a number/);
    assert.deepEqual(outcome(5), { status: "fulfilled", value: undefined });
    failed(6, BackendError, /Backend reported error 500: db down/);
    failed(7, LookupTimeoutError, /timed out after 400 ms/);
    failed(
      8,
      InvalidReplyError,
      /DHCP\.MACAddress is 08:00:27:29:4e:67, not the MAC looked up/,
    );
    failed(9, InvalidEventError, /payload is empty/);
    failed(10, InvalidReplyError, /the data is missing, want a JSON object/);
  }));

Deno.test("nats backend - no responder fails at once with NoResponderError", () =>
  withNats(async (nc) => {
    const backend = new NatsBackend({ nc, subject: "g.nobody", timeout: 3000 });
    const started = performance.now();
    await assert.rejects(backend.lookup(MAC), NoResponderError);
    assert.ok(performance.now() - started < 1500, "well under the timeout");
  }));

Deno.test("nats backend - concurrent lookups of one MAC send one request", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.coalesce", async (mac) => {
      await new Promise((r) => setTimeout(r, 100));
      return goEnvelope({ ...GO_DHCP, MACAddress: mac });
    });
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.coalesce" });
    const other = "02:00:00:00:00:42";
    const results = await Promise.all([
      ...Array.from({ length: 16 }, () => backend.lookup(MAC)),
      backend.lookup(other.toUpperCase()),
    ]);
    assert.deepEqual(seen.sort(), [MAC, other].sort());
    assert.ok(
      results.slice(0, 16).every((r) => r?.ipAddress === "192.168.2.153"),
    );
    assert.equal(results[16]?.macAddress, other);
    results[0]!.ipAddress = "mutated"; // every caller has its own copy
    assert.equal(results[1]?.ipAddress, "192.168.2.153");
  }));

Deno.test("nats backend - one caller's abort leaves the shared request to the others", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.abort", async () => {
      await new Promise((r) => setTimeout(r, 100));
      return goEnvelope(GO_DHCP);
    });
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.abort" });
    const controller = new AbortController();
    const first = backend.lookup(MAC, { signal: controller.signal });
    const second = backend.lookup(MAC);
    controller.abort(new Error("client went away"));
    await assert.rejects(first, /client went away/);
    assert.equal((await second)?.ipAddress, "192.168.2.153");
    assert.equal(seen.length, 1);
  }));

Deno.test("nats backend - cacheTtl reuses an answer, 0 asks every time", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.cache", () => goEnvelope(GO_DHCP));
    await nc.flush();
    const cached = new NatsBackend({
      nc,
      subject: "g.cache",
      cacheTtl: 60_000,
    });
    await cached.lookup(MAC);
    await cached.lookup(MAC);
    assert.equal(seen.length, 1);
    const uncached = new NatsBackend({ nc, subject: "g.cache" });
    await uncached.lookup(MAC);
    await uncached.lookup(MAC);
    assert.equal(seen.length, 3);
  }));

Deno.test("nats backend - owns and closes a connection it opened itself", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    goResponder(nc, "g.own", () => goEnvelope(GO_DHCP));
    await nc.flush();
    await using backend = await NatsBackend.connect({
      servers: nats.url,
      subject: "g.own",
    });
    assert.equal((await backend.lookup(MAC))?.ipAddress, "192.168.2.153");
    const own = await backend.connection();
    await backend.close();
    assert.equal(own.isClosed(), true);
    await assert.rejects(backend.lookup(MAC), /the backend is closed/);
  } finally {
    await nc.close();
  }
});

Deno.test("nats backend - says where it could not connect, and rejects a bad MAC", async () => {
  const port = freePort();
  await assert.rejects(
    NatsBackend.connect({ servers: `nats://127.0.0.1:${port}` }),
    new RegExp(`Cannot connect to NATS at nats://127.0.0.1:${port}`),
  );
  const backend = new NatsBackend({ servers: `nats://127.0.0.1:${port}` });
  await assert.rejects(backend.lookup("nonsense"), TypeError);
  await backend.close();
});
