import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { startBroker } from "../../lib/broker/broker.ts";
import { parseConfig, UsageError } from "../../lib/cli/config.ts";
import { parseReservations } from "../../lib/responder/reservation_file.ts";
import { host, key } from "./_kv.ts";
import { runMain } from "../_helpers/run_main.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const EXAMPLE = `${ROOT}examples/reservations.yaml`;

Deno.test("kv cli - --responder takes exactly one of --reservations and --kv-bucket (exit 2)", async () => {
  assert.throws(
    () =>
      parseConfig([
        "--responder",
        "--reservations",
        "r.yaml",
        "--kv-bucket",
        "hosts",
      ], {}),
    (e: Error) => e instanceof UsageError && /give one of them/.test(e.message),
  );
  assert.throws(
    () => parseConfig(["--responder"], {}),
    (e: Error) => e instanceof UsageError && /--kv-bucket NAME/.test(e.message),
  );
  assert.throws(
    () => parseConfig(["--responder", "--kv-bucket", "a.b"], {}),
    (e: Error) =>
      e instanceof UsageError && /not a KV bucket name/.test(e.message),
  );
  const cmd = parseConfig(["--responder"], { DHCP_NATS_KV_BUCKET: "hosts" });
  assert.ok(cmd.kind === "run" && cmd.config.kvBucket === "hosts");
  const kv = parseConfig(
    ["kv", "import", "--kv-bucket", "h", "--replicas", "3", "--prune", "f"],
    {},
  );
  assert.ok(kv.kind === "kv");
  assert.equal(kv.kv.replicas, 3);
  assert.equal(kv.kv.prune, true);
  assert.equal(kv.kv.file, "f");
  assert.throws(
    () => parseConfig(["kv", "export"], {}),
    (e: Error) => e instanceof UsageError && /--kv-bucket NAME/.test(e.message),
  );

  const both = await runMain([
    "--responder",
    "--reservations",
    EXAMPLE,
    "--kv-bucket",
    "hosts",
  ]);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /give one of them/);
});

Deno.test("kv cli - --kv-bucket without JetStream (nats-server, the embedded broker) exits 1 saying to run nats-server -js", async () => {
  await using plain = await startNatsServer();
  await using broker = await startBroker({ hostname: "127.0.0.1", port: 0 });
  for (const url of [plain.url, broker.url]) {
    const r = await runMain([
      "--responder",
      "--kv-bucket",
      "hosts",
      "--nats-url",
      url,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no JetStream.*run nats-server -js/);
  }
});

Deno.test("kv cli - import creates the bucket, reports counts, skips unchanged, --prune deletes; export is a file the reader accepts", async () => {
  await using nats = await startNatsServer({ jetstream: true });
  const common = ["--kv-bucket", "hosts", "--nats-url", nats.url];
  const first = await runMain(["kv", "import", ...common, EXAMPLE]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /4 hosts, 4 added, 0 updated, 0 unchanged/);

  const nc = await connect({ servers: nats.url });
  try {
    const kv = await new Kvm(nc).open("hosts");
    await kv.put(key("02:00:00:00:00:01"), host("10.0.0.1"));
    await kv.put(key("08:00:27:29:4e:67"), host("10.0.0.2"));
    await kv.put("junk", "{");
    const again = await runMain([
      "kv",
      "import",
      ...common,
      "--prune",
      EXAMPLE,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /4 hosts, 0 added, 1 updated, 3 unchanged, 2 deleted/,
    );
    assert.equal(await kv.get("junk").then((e) => e?.operation), "DEL");

    const out = await runMain(["kv", "export", ...common]);
    assert.equal(out.code, 0, out.stderr);
    const exported = parseReservations(out.stdout);
    const original = parseReservations(await Deno.readTextFile(EXAMPLE));
    assert.deepEqual(exported, original);
  } finally {
    await nc.close();
  }
});
