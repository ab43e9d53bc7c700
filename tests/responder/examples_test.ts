import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { loadReservationFile } from "../../lib/responder/reservation_file.ts";
import { lookup, SUBJECT } from "./_lookup.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);

Deno.test("examples - reservations.yaml loads", async () => {
  const file = new URL("reservations.yaml", EXAMPLES).pathname;
  const map = await loadReservationFile(file);
  assert.equal(map.size, 4);
  assert.equal(map.get("86:96:b0:6e:ca:36")?.hostname, "workstation");
  assert.equal(map.get("b4:96:91:6f:33:d0")?.extensions?.dhcpDisabled, true);
});

Deno.test("examples - custom_responder.ts answers lookups and drains on SIGTERM", async () => {
  await using nats = await startNatsServer();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("custom_responder.ts", EXAMPLES).pathname,
      nats.url,
      SUBJECT,
    ],
    env: { RESERVATION_OVERRIDES: '{"08:00:27:00:00:01":"192.168.2.250"}' },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const nc = await connect({ servers: nats.url });
  try {
    let answer;
    for (let i = 0; i < 100 && !answer; i++) {
      answer = await lookup(nc, "08:00:27:00:00:01", { timeout: 500 }).catch(
        () =>
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      );
    }
    assert.equal(answer?.ipAddress, "192.168.2.250");
    assert.equal(
      (await lookup(nc, "08:00:27:00:00:02"))?.ipAddress,
      "192.168.2.12",
    );
    assert.equal(await lookup(nc, "52:54:00:00:00:01"), undefined);
  } finally {
    await nc.close();
    child.kill("SIGTERM");
  }
  const { code, stderr } = await child.output();
  const log = new TextDecoder().decode(stderr);
  assert.equal(code, 0, log);
  assert.match(log, /Responder stopped/);
});
