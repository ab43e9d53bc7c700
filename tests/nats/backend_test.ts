import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import { NatsBackend } from "../../lib/nats/backend.ts";
import { startResponder } from "../../lib/responder/responder.ts";
import { createEvent } from "../../lib/cloudevents/event.ts";
import { encodeBinary } from "../../lib/cloudevents/nats_binding.ts";
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
    await using _service = await startResponder({
      nc,
      subject: "g.ours",
      serviceName: false,
      lookup: (mac) => store.lookup(mac),
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
