/**
 * Security: with token auth (from a flag) and user/password auth (from
 * the environment), every role works and no secret appears in its log
 * (at debug), its /metrics, or --help.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DhcpClient } from "../../lib/client/client.ts";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import { ROOT, startDhcp, startRole, writeReservations } from "./_roles.ts";

const TOKEN = "tok-" + crypto.randomUUID();
const PASSWORD = "pw-" + crypto.randomUUID();

Deno.test("security - NATS secrets never reach logs, metrics or --help", async () => {
  await using nats = await startNatsServer({ args: ["--auth", TOKEN] });
  const { file, macs } = await writeReservations(1);
  try {
    await using responder = await startRole([
      "--responder",
      "--reservations",
      file,
      "--nats-url",
      nats.url,
      "--nats-token",
      TOKEN,
      "--log-level",
      "debug",
    ], { ready: /responder ready/ });
    await using dhcp = await startDhcp(nats.url, [
      "--nats-token",
      TOKEN,
      "--log-level",
      "debug",
    ]);
    {
      await using client = await DhcpClient.open({
        server: dhcp.server,
        mac: macs[0],
        bind: "127.0.0.1:0",
      });
      assert.equal((await client.dora()).address, "10.0.0.1");
    }
    // The embedded broker with user/password from the environment.
    const port = freePort();
    await using broker = await startRole(
      [
        "--server",
        "--nats-url",
        `nats://127.0.0.1:${port}`,
        "--log-level",
        "debug",
      ],
      {
        ready: /embedded NATS server ready/,
        env: { DHCP_NATS_USER: "admin", DHCP_NATS_PASSWORD: PASSWORD },
      },
    );
    assert.equal(
      broker.count(/auth=user/),
      1,
      "the broker requires a password",
    );
    const texts = [
      await dhcp.scrape(),
      await responder.scrape(),
      await broker.scrape(),
    ];
    const help = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}main.ts`, "--help"],
      env: { DHCP_NATS_TOKEN: TOKEN, DHCP_NATS_PASSWORD: PASSWORD },
    }).output();
    texts.push(new TextDecoder().decode(help.stdout));
    for (const role of [dhcp, responder, broker]) {
      assert.equal((await role.stop()).code, 0);
      texts.push(role.lines().join("\n"));
    }
    assert.ok(
      texts[texts.length - 3].includes("reply"),
      "the DHCP log was read",
    );
    for (const text of texts) {
      assert.ok(!text.includes(TOKEN), "the token is not shown");
      assert.ok(!text.includes(PASSWORD), "the password is not shown");
    }
  } finally {
    await Deno.remove(file);
  }
});
