import assert from "node:assert/strict";
import { CloudEvent } from "cloudevents";
import { connect } from "@nats-io/transport-node";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import { NatsBackend } from "../../lib/nats/backend.ts";
import { serveEvents } from "../../lib/cloudevents/request.ts";
import { createEvent } from "../../lib/cloudevents/event.ts";
import { encodeBinary } from "../../lib/cloudevents/nats_binding.ts";
import { decodeLookupRequest, encodeLookupReply } from "../../lib/nats/wire.ts";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { createLogger } from "../../lib/log/logger.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import {
  EXPECTED,
  GO_DHCP,
  GO_NETBOOT,
  goDecodeRequest,
  goEnvelope,
  goResponder,
  MAC,
  withNats,
} from "./_go_fixtures.ts";

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
