import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { startKvResponder } from "../../lib/responder/kv/kv_responder.ts";
import { lookup, SUBJECT, until } from "./_lookup.ts";
import { startTcpProxy } from "./_kv_proxy.ts";
import { host, key } from "./_kv.ts";

const A = "08:00:27:29:4e:67";
const B = "08:00:27:29:4e:68";
const C = "08:00:27:29:4e:69";

Deno.test("kv responder - updates made while it is disconnected are in service after it reconnects, without a reload", async () => {
  await using nats = await startNatsServer({ jetstream: true });
  await using proxy = startTcpProxy(nats.port);
  const nc = await connect({ servers: nats.url });
  const lines: string[] = [];
  try {
    const kv = await new Kvm(nc).create("hosts");
    await kv.put(key(A), host("192.168.2.10"));
    await kv.put(key(C), host("192.168.2.30"));
    await using responder = await startKvResponder({
      bucket: "hosts",
      servers: proxy.url,
      subject: SUBJECT,
      serviceName: false,
      connectOptions: { reconnectTimeWait: 100 },
      logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
    });
    assert.equal((await lookup(nc, A))?.ipAddress, "192.168.2.10");
    const before = responder.watch.revision;

    await proxy.cut();
    await kv.put(key(A), host("192.168.2.11"));
    await kv.put(key(B), host("192.168.2.20"));
    await kv.delete(key(C));
    // Several revisions of one key: only the last counts.
    await kv.put(key(B), host("192.168.2.21"));
    assert.equal(responder.watch.revision, before, "the responder is cut off");
    proxy.resume();

    await until(
      async () =>
        (await lookup(nc, A, { timeout: 500 }).catch(() => null))
            ?.ipAddress === "192.168.2.11" || undefined,
      "the put made while disconnected",
    );
    await until(
      () => responder.store.lookup(C) === undefined || undefined,
      "the delete made while disconnected",
    );
    assert.equal((await lookup(nc, B))?.ipAddress, "192.168.2.21");
    assert.equal(await lookup(nc, C), undefined);
    assert.ok(responder.watch.resumes >= 1, "the watch resumed");
    assert.equal(responder.store.size, 2);
    // Resumed from the next revision, not read again from the start.
    assert.ok(
      lines.some((l) =>
        /KV watch resumed/.test(l) && l.includes(`fromRevision=${before + 1}`)
      ),
      lines.join("\n"),
    );
  } finally {
    await nc.close();
  }
});
