import assert from "node:assert/strict";
import { nkeys } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/cli/nats_options.ts";
import { guardSocketResets } from "../../lib/cli/socket_reset_guard.ts";
import { silentLogger } from "../../lib/log/logger.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";

async function canConnect(
  url: string,
  settings: Parameters<typeof natsConnectionOptions>[0],
): Promise<boolean> {
  const options = await natsConnectionOptions(
    { ...settings, natsUrl: [url] },
    "test",
  );
  // A refused login also surfaces as an uncaught socket reset (see
  // lib/cli/socket_reset_guard.ts); the roles guard against it, so do we.
  const unguard = guardSocketResets(silentLogger);
  try {
    const nc = await connect({
      ...options,
      waitOnFirstConnect: false,
      maxReconnectAttempts: 0,
      timeout: 2000,
    });
    await nc.flush();
    await nc.close();
    return true;
  } catch {
    return false;
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    unguard();
  }
}

Deno.test("natsConnectionOptions() authenticates with a token", async () => {
  await using nats = await startNatsServer({ args: ["--auth", "tok123"] });
  assert.equal(
    await canConnect(nats.url, { natsUrl: [], natsToken: "tok123" }),
    true,
  );
  assert.equal(
    await canConnect(nats.url, { natsUrl: [], natsToken: "wrong" }),
    false,
  );
});

Deno.test("natsConnectionOptions() authenticates with user and password", async () => {
  await using nats = await startNatsServer({
    args: ["--user", "dhcp", "--pass", "pw1"],
  });
  assert.equal(
    await canConnect(nats.url, {
      natsUrl: [],
      natsUser: "dhcp",
      natsPassword: "pw1",
    }),
    true,
  );
  assert.equal(
    await canConnect(nats.url, {
      natsUrl: [],
      natsUser: "dhcp",
      natsPassword: "no",
    }),
    false,
  );
});

Deno.test("natsConnectionOptions() authenticates with an NKey seed file", async () => {
  const user = nkeys.createUser();
  const seedFile = await Deno.makeTempFile();
  await Deno.writeFile(seedFile, user.getSeed());
  try {
    await using nats = await startNatsServer({
      config: `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }`,
    });
    assert.equal(
      await canConnect(nats.url, { natsUrl: [], natsNkey: seedFile }),
      true,
    );
    assert.equal(await canConnect(nats.url, { natsUrl: [] }), false);
  } finally {
    await Deno.remove(seedFile);
  }
});

Deno.test("natsConnectionOptions() names the file it cannot read", async () => {
  await assert.rejects(
    natsConnectionOptions({
      natsUrl: ["nats://127.0.0.1:1"],
      natsCreds: "/nonexistent/x.creds",
    }, "t"),
    /Cannot read the credentials file \/nonexistent\/x.creds/,
  );
});

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("natsConnectionOptions() verifies the server with a CA file over TLS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-subj",
      "/CN=dhcp-nats test CA",
    ], dir);
    await openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    ], dir);
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
    ], dir);
    await using nats = await startNatsServer({
      config:
        `tls { cert_file: "${dir}/server.pem", key_file: "${dir}/server.key" }`,
    });
    assert.equal(
      await canConnect(nats.url, { natsUrl: [], natsTlsCa: `${dir}/ca.pem` }),
      true,
    );
    // Without our CA the server's certificate is not trusted.
    assert.equal(await canConnect(nats.url, { natsUrl: [] }), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
