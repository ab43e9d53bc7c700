import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { headers } from "@nats-io/nats-core";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { createLogger } from "../../lib/log/logger.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { startResponder } from "../../lib/responder/responder.ts";
import { ReservationStore } from "../../lib/responder/store.ts";
import { BackendError } from "../../lib/backend/errors.ts";
import { decodeLookupReply } from "../../lib/nats/wire.ts";
import { decodeEventRecord } from "../../lib/cloudevents/nats_binding.ts";
import { lookup, rawLookup, requestPayload, SUBJECT } from "./_lookup.ts";

const HOST: Reservation = {
  macAddress: "08:00:27:29:4e:67",
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["192.168.2.1"],
  hostname: "pxe-virtualbox",
  leaseTime: 3600,
  netboot: {
    allowNetboot: true,
    ipxeScriptUrl: "https://boot.example.com/a.ipxe",
  },
  extensions: {
    classlessStaticRoutes: [{
      destination: "10.0.0.0/8",
      router: "192.168.2.1",
    }],
    bootFileName: "ipxe.efi",
  },
};
const store = new ReservationStore(new Map([[HOST.macAddress, HOST]]));

Deno.test("responder - v2 answers a known MAC and says 404 for an unknown one", async () => {
  await using nats = await startNatsServer();
  await using responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    const found = await lookup(nc, HOST.macAddress);
    assert.deepEqual(found, HOST);
    const record = await rawLookup(nc, "08:00:27:29:4e:68");
    assert.equal(record.type, "org.tinkerbell.backend.read");
    assert.equal(record.subject, "08:00:27:29:4e:68");
    assert.deepEqual((record.data as { Error: unknown }).Error, {
      Code: 404,
      Message: "no reservation for this MAC address",
    });
    assert.equal(decodeLookupReply(record.data), undefined);
    assert.deepEqual(responder.stats, {
      requests: 2,
      found: 1,
      notFound: 1,
      errors: 0,
      badRequests: 0,
    });
  } finally {
    await nc.close();
  }
});

Deno.test("responder - v1 sends the DHCP object alone and nothing for an unknown MAC", async () => {
  await using nats = await startNatsServer();
  await using _responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    replyFormat: "v1",
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    const record = await rawLookup(nc, HOST.macAddress);
    const data = record.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(data).sort(), [
      "BroadcastAddress",
      "DefaultGateway",
      "DomainName",
      "DomainSearch",
      "Hostname",
      "IPAddress",
      "LeaseTime",
      "MACAddress",
      "NTPServers",
      "NameServers",
      "SubnetMask",
    ]);
    const decoded = decodeLookupReply(data);
    assert.equal(decoded?.ipAddress, HOST.ipAddress);
    assert.equal(decoded?.leaseTime, 3600);
    assert.deepEqual(decoded?.netboot, { allowNetboot: true });
    await assert.rejects(
      rawLookup(nc, "08:00:27:29:4e:68", { timeout: 300 }),
      (err: Error) =>
        /timeout/i.test(err.message) || err.name === "TimeoutError",
    );
  } finally {
    await nc.close();
  }
});

Deno.test("responder - a lookup function that throws gives a v2 error 500, logged", async () => {
  await using nats = await startNatsServer();
  const lines: string[] = [];
  await using responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: async (mac) => {
      await Promise.resolve();
      if (mac.endsWith("ff")) throw new Error("database unavailable");
      return mac.endsWith("fe")
        ? undefined
        : { macAddress: "", ipAddress: "192.168.2.9" };
    },
    logger: createLogger({ level: "warn", write: (l) => lines.push(l) }),
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    const record = await rawLookup(nc, "08:00:27:29:4e:ff");
    assert.deepEqual((record.data as { Error: unknown }).Error, {
      Code: 500,
      Message: "Lookup of 08:00:27:29:4e:ff failed: database unavailable",
    });
    assert.throws(() => decodeLookupReply(record.data), BackendError);
    assert.deepEqual(await lookup(nc, "08:00:27:29:4e:01"), {
      macAddress: "08:00:27:29:4e:01",
      ipAddress: "192.168.2.9",
      leaseTime: 86400,
      netboot: { allowNetboot: false },
    });
    assert.equal(await lookup(nc, "08:00:27:29:4e:fe"), undefined);
    assert.equal(responder.stats.errors, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /ERROR Lookup failed mac=08:00:27:29:4e:ff/);
  } finally {
    await nc.close();
  }
});

Deno.test("responder - v1 sends no reply when the lookup function throws", async () => {
  await using nats = await startNatsServer();
  await using responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: () => {
      throw new Error("boom");
    },
    replyFormat: "v1",
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    await assert.rejects(rawLookup(nc, HOST.macAddress, { timeout: 300 }));
    assert.equal(responder.stats.errors, 1);
  } finally {
    await nc.close();
  }
});

Deno.test("responder - a malformed request is logged and gets error 400", async () => {
  await using nats = await startNatsServer();
  const lines: string[] = [];
  await using responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    logger: createLogger({ level: "warn", write: (l) => lines.push(l) }),
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  const enc = new TextEncoder();
  try {
    const notEvent = await nc.request(SUBJECT, enc.encode("hello"));
    const noMac = await nc.request(
      SUBJECT,
      enc.encode(JSON.stringify({
        specversion: "1.0",
        id: "1",
        source: "/t",
        type: "t",
        data: { Traceparent: "" },
      })),
    );
    const errors = [notEvent, noMac].map((m) =>
      (decodeEventRecord(m.data).data as {
        Error: { Code: number; Message: string };
      })
        .Error
    );
    assert.deepEqual(errors, [
      {
        Code: 400,
        Message:
          "Invalid CloudEvent: the payload is not JSON and has no ce-* headers",
      },
      {
        Code: 400,
        Message:
          "Invalid lookup request: MacAddress is missing or not a string",
      },
    ]);
    // Fire-and-forget garbage (no reply subject) is counted and logged only.
    nc.publish(SUBJECT, enc.encode("{}"));
    await nc.flush();
    assert.equal(
      (await lookup(nc, HOST.macAddress))?.ipAddress,
      HOST.ipAddress,
    );
    assert.equal(responder.stats.badRequests, 3);
    assert.equal(
      lines.filter((l) => l.includes("malformed lookup request")).length,
      3,
    );
  } finally {
    await nc.close();
  }
});

Deno.test("responder - accepts binary content mode and a colon-form MAC", async () => {
  await using nats = await startNatsServer();
  await using _responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    const h = headers();
    h.set("ce-specversion", "1.0");
    h.set("ce-id", "42");
    h.set("ce-source", "/test");
    h.set("ce-type", "org.tinkerbell.backend.read");
    h.set("content-type", "application/json");
    const msg = await nc.request(
      SUBJECT,
      new TextEncoder().encode(
        JSON.stringify({ MACAddress: "08:00:27:29:4E:67" }),
      ),
      { headers: h, timeout: 5000 },
    );
    assert.equal(
      decodeLookupReply(decodeEventRecord(msg.data).data)?.ipAddress,
      HOST.ipAddress,
    );
  } finally {
    await nc.close();
  }
});

Deno.test("responder - answers again after nats-server restarts", async () => {
  await using nats = await startNatsServer();
  await using _responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    connectOptions: { reconnectTimeWait: 100 },
    serviceName: false,
  });
  await nats.stop();
  await nats.restart();
  const nc = await connect({ servers: nats.url });
  try {
    let answer: Reservation | undefined;
    for (let i = 0; i < 50 && !answer; i++) {
      answer = await lookup(nc, HOST.macAddress, { timeout: 200 }).catch(() =>
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))
      );
    }
    assert.equal(answer?.ipAddress, HOST.ipAddress);
  } finally {
    await nc.close();
  }
});

Deno.test("responder - uses a given connection without closing it", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const responder = await startResponder({
      nc,
      lookup: (mac) => store.lookup(mac),
      subject: `${SUBJECT}.custom`,
      serviceName: false,
    });
    assert.equal(
      (await lookup(nc, HOST.macAddress, { subject: `${SUBJECT}.custom` }))
        ?.hostname,
      HOST.hostname,
    );
    await responder.drain();
    assert.equal(nc.isClosed(), false);
    await assert.rejects(
      nc.request(`${SUBJECT}.custom`, requestPayload(HOST.macAddress)),
    );
  } finally {
    await nc.close();
  }
});

Deno.test("responder - an AbortSignal drains it", async () => {
  await using nats = await startNatsServer();
  const controller = new AbortController();
  const responder = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => store.lookup(mac),
    signal: controller.signal,
    serviceName: false,
  });
  controller.abort();
  await responder.drain();
  assert.equal(responder.connection.isClosed(), true);
  // A signal aborted before start drains at once.
  const early = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: () => undefined,
    signal: AbortSignal.abort(),
    serviceName: false,
  });
  for (let i = 0; i < 200 && !early.connection.isClosed(); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(early.connection.isClosed(), true);
  await early.drain();
});

Deno.test("responder - start fails with a clear message when NATS is unreachable", async () => {
  await using nats = await startNatsServer();
  await nats.stop();
  await assert.rejects(
    startResponder({
      servers: nats.url,
      subject: SUBJECT,
      lookup: () => undefined,
    }),
    (err: Error) =>
      err.message.startsWith(`Cannot connect to NATS at ${nats.url}: `),
  );
});
