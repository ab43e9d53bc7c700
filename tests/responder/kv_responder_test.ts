import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { startKvResponder } from "../../lib/responder/kv/kv_responder.ts";
import { lookup, SUBJECT, until } from "./_lookup.ts";

const MAC = "08:00:27:29:4e:67";
const KEY = "08-00-27-29-4e-67";

Deno.test("kv responder - serves the bucket at start, then puts and deletes at once", async () => {
  await using nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  try {
    const kv = await new Kvm(nc).create("hosts");
    await kv.put(KEY, JSON.stringify({ ipAddress: "192.168.2.10" }));
    await kv.put(
      "52-54-00-aa-88-2a",
      JSON.stringify({
        ipAddress: "192.168.2.15",
        subnetMask: "255.255.255.0",
        netboot: { allowPxe: true },
      }),
    );
    await using responder = await startKvResponder({
      bucket: "hosts",
      servers: nats.url,
      subject: SUBJECT,
      serviceName: false,
    });
    assert.equal(responder.store.size, 2);
    assert.equal((await lookup(nc, MAC))?.ipAddress, "192.168.2.10");
    const second = await lookup(nc, "52:54:00:aa:88:2a");
    assert.equal(second?.subnetMask, "255.255.255.0");
    assert.equal(second?.netboot?.allowNetboot, true);

    // A raw publish to the KV subject, as any NATS client may do it.
    await nc.request(
      `$KV.hosts.${KEY}`,
      JSON.stringify({ ipAddress: "192.168.2.11" }),
    );
    await until(
      async () =>
        (await lookup(nc, MAC))?.ipAddress === "192.168.2.11" || undefined,
      "the put in service",
    );
    await kv.delete(KEY);
    await until(
      async () => (await lookup(nc, MAC)) === undefined || undefined,
      "the delete in service",
    );
    await kv.put(KEY, JSON.stringify({ ipAddress: "192.168.2.12" }));
    await until(
      async () =>
        (await lookup(nc, MAC))?.ipAddress === "192.168.2.12" || undefined,
      "the put after a delete in service",
    );
  } finally {
    await nc.close();
  }
});

Deno.test("kv responder - a bad value is refused with its key and field, the previous one stays; a non-MAC key is ignored", async () => {
  await using nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  const lines: string[] = [];
  try {
    const kv = await new Kvm(nc).create("hosts");
    await kv.put(KEY, JSON.stringify({ ipAddress: "192.168.2.10" }));
    await kv.put("not-a-mac", JSON.stringify({ ipAddress: "192.168.2.99" }));
    await using responder = await startKvResponder({
      bucket: "hosts",
      servers: nats.url,
      subject: SUBJECT,
      serviceName: false,
      logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
    });
    assert.equal(responder.store.size, 1);
    assert.ok(
      lines.some((l) =>
        /KV key is not a MAC address; ignored/.test(l) && /not-a-mac/.test(l)
      ),
      lines.join("\n"),
    );

    await kv.put(KEY, JSON.stringify({ ipAddress: "192.168.2.300" }));
    await kv.put(KEY.replace("67", "68"), "{not json");
    await until(
      () => responder.watch.refused === 3 || undefined,
      "both bad values refused",
    );
    assert.equal((await lookup(nc, MAC))?.ipAddress, "192.168.2.10");
    const refusal = lines.find((l) => /KV value refused/.test(l));
    assert.ok(refusal, lines.join("\n"));
    assert.match(refusal, new RegExp(KEY));
    assert.match(refusal, /ipAddress/);
    assert.match(refusal, /192\.168\.2\.300/);
    assert.ok(lines.some((l) => /not JSON/.test(l)), lines.join("\n"));
    assert.equal(await lookup(nc, "08:00:27:29:4e:68"), undefined);

    // A good value after the bad one is in service.
    await kv.put(KEY, JSON.stringify({ ipAddress: "192.168.2.20" }));
    await until(
      async () =>
        (await lookup(nc, MAC))?.ipAddress === "192.168.2.20" || undefined,
      "the good value in service",
    );
  } finally {
    await nc.close();
  }
});

Deno.test("kv responder - no JetStream, or no bucket: a start-up error that says what to run", async () => {
  await using plain = await startNatsServer();
  await assert.rejects(
    startKvResponder({ bucket: "hosts", servers: plain.url }),
    /no JetStream.*nats-server -js/,
  );
  await using js = await startNatsServer({ jetstream: true });
  await assert.rejects(
    startKvResponder({ bucket: "hosts", servers: js.url }),
    /KV bucket hosts does not exist: create it with dhcp-nats kv import/,
  );
});
