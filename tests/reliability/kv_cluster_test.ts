/**
 * Reservations in an R3 KV bucket on a three-node nats-server cluster
 * (JetStream on every node). A responder connected to node 1; lookups sent
 * through node 2 and puts through node 3, continuously. Node 1 is stopped:
 * the responder moves to another node, its watch resumes from the next
 * revision, and lookups and updates carry on. The figures (lookups failed,
 * time to recover) are printed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { type KV, Kvm } from "@nats-io/kv";
import { startNatsCluster } from "../_helpers/nats_server.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { startKvResponder } from "../../lib/responder/kv/kv_responder.ts";
import { lookup, SUBJECT } from "../responder/_lookup.ts";
import { key } from "../responder/_kv.ts";

const MAC = "08:00:27:29:4e:67";
const OTHER = "08:00:27:29:4e:68";
/**
 * Recovery bound, ms: a reconnect (100 ms wait), a JetStream stream-leader
 * election when node 1 led the bucket (a few seconds), and the watch's
 * resume retries (2 s apart at most), with room for a loaded 2-core host.
 */
const RECOVERY_BOUND_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The value of put number `n`, and the number back from its address. */
const value = (n: number) =>
  JSON.stringify({ ipAddress: `10.1.${n >> 8}.${n & 255}` });
const putNumber = (ip: string) => {
  const [, , hi, lo] = ip.split(".").map(Number);
  return hi * 256 + lo;
};

/** Create the R3 bucket once the cluster has a JetStream meta leader. */
async function createBucket(kvm: Kvm): Promise<KV> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await kvm.create("hosts", { replicas: 3, history: 1 });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

Deno.test("fault - KV R3 bucket on three nodes: the responder's node stopped, lookups and updates carry on", async () => {
  await using cluster = await startNatsCluster(3, { jetstream: true });
  const [n1, n2, n3] = cluster.urls;
  const writer = await connect({ servers: n3, reconnectTimeWait: 100 });
  const asker = await connect({ servers: n2, reconnectTimeWait: 100 });
  const logLines: string[] = [];
  try {
    const kv = await createBucket(new Kvm(writer));
    await kv.put(key(MAC), value(0));
    await kv.put(key(OTHER), value(9999));
    await using responder = await startKvResponder({
      bucket: "hosts",
      servers: [n1, n2, n3],
      connectOptions: { noRandomize: true, reconnectTimeWait: 100 },
      subject: SUBJECT,
      serviceName: false,
      logger: createLogger({
        level: "info",
        write: (l) => logLines.push(`${Math.round(performance.now())} ${l}`),
      }),
    });
    assert.equal(responder.responder.connection.getServer(), n1.slice(7));

    // Puts through node 3, one every 50 ms; lookups through node 2.
    let running = true;
    let written = 0;
    let putsFailed = 0;
    const puts = (async () => {
      while (running) {
        try {
          await kv.put(key(MAC), value(written + 1), { timeout: 1000 });
          written++;
        } catch {
          putsFailed++;
        }
        await sleep(50);
      }
    })();
    const results: { at: number; ok: boolean }[] = [];
    const lookups = (async () => {
      while (running) {
        const at = performance.now();
        const r = await lookup(asker, OTHER, { timeout: 500 }).catch(() =>
          undefined
        );
        results.push({ at, ok: r?.ipAddress === "10.1.39.15" });
        await sleep(20);
      }
    })();

    await sleep(1000);
    assert.ok(results.length > 0 && results.every((r) => r.ok));
    const stoppedAt = performance.now();
    await cluster.nodes[0].stop();
    const writtenAtStop = written;

    // Recovered: a lookup answered, and a put made after the stop in service.
    let recoveredAt = 0;
    while (performance.now() - stoppedAt < RECOVERY_BOUND_MS) {
      const served = responder.store.lookup(MAC)?.ipAddress;
      if (results.at(-1)?.ok && served && putNumber(served) > writtenAtStop) {
        recoveredAt = performance.now();
        break;
      }
      await sleep(50);
    }
    assert.ok(recoveredAt > 0, "not recovered within the bound");
    // Carry on a while: every lookup after recovery is answered.
    await sleep(1500);
    running = false;
    await Promise.all([puts, lookups]);
    const after = results.filter((r) => r.at > recoveredAt + 100);
    assert.ok(after.length > 0 && after.every((r) => r.ok));
    // The last put is in service.
    const lastIp = JSON.parse(value(written)).ipAddress;
    const deadline = Date.now() + 10_000;
    while (
      responder.store.lookup(MAC)?.ipAddress !== lastIp && Date.now() < deadline
    ) await sleep(50);
    assert.equal(responder.store.lookup(MAC)?.ipAddress, lastIp);
    assert.ok(responder.watch.resumes >= 1);

    const failed = results.filter((r) => !r.ok).length;
    if (recoveredAt - stoppedAt > 2000) {
      console.log(
        `stopped at ${Math.round(stoppedAt)}\n${logLines.join("\n")}`,
      );
    }
    console.log(
      `kv cluster: node 1 stopped; lookups ${results.length} sent, ${failed} failed; ` +
        `puts ${written} made, ${putsFailed} failed; recovered in ${
          Math.round(recoveredAt - stoppedAt)
        } ms; watch resumed ${responder.watch.resumes} time(s)`,
    );
  } finally {
    await writer.close();
    await asker.close();
  }
});
