import assert from "node:assert/strict";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { runMain, startAndStop } from "../_helpers/run_main.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

Deno.test("main - --help lists the roles and exits 0", async () => {
  const r = await runMain(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--responder/);
  assert.match(r.stdout, /--server/);
  assert.match(r.stdout, /DHCP_NATS_URL/);
});

Deno.test("main - a usage error exits 2 with a message that says what to do", async () => {
  const typo = await runMain(["--lisen", "0.0.0.0:1067"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Unknown option '--lisen'/);
  assert.match(typo.stderr, /Did you mean --listen\?/);
  const both = await runMain(["--server", "--responder"]);
  assert.equal(both.code, 2);
  assert.match(
    both.stderr,
    /--server and --responder cannot run in one process/,
  );
});

Deno.test("main - a responder with an invalid reservations file exits 1 naming the line", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(
      file,
      "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.300\n",
    );
    const r = await runMain(["--responder", "--reservations", file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /08:00:27:29:4e:67/);
    assert.match(r.stderr, /ipAddress/);
    assert.match(
      r.stderr,
      /\.yaml:2: 08:00:27:29:4e:67: ipAddress: "192.168.2.300" is not an IPv4 address/,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("main - --server starts the embedded NATS server and stops on SIGTERM", async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const r = await startAndStop(
    ["--server", "--nats-url", `nats://127.0.0.1:${port}`],
    /embedded NATS server ready/,
  );
  assert.equal(r.code, 0, r.output);
  assert.ok(r.stopMs < 5000, `took ${r.stopMs} ms to stop`);
});

Deno.test("main - --responder serves a file and stops on SIGTERM", async () => {
  await using nats = await startNatsServer();
  const r = await startAndStop(
    [
      "--responder",
      "--nats-url",
      nats.url,
      "--reservations",
      "examples/reservations.yaml",
    ],
    /responder ready/,
  );
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /hosts=4/);
});

Deno.test("main - the DHCP server starts on an unprivileged port and stops on SIGTERM", async () => {
  await using nats = await startNatsServer();
  const r = await startAndStop(
    [
      "--nats-url",
      nats.url,
      "--listen",
      "127.0.0.1:0",
      "--server-ip",
      "127.0.0.1",
    ],
    /DHCP server listening/,
  );
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /DHCP server stopped/);
});

Deno.test("main - refused NATS credentials exit 1 with a message, never an uncaught socket reset", async () => {
  await using nats = await startNatsServer({ args: ["--auth", "right-token"] });
  for (let i = 0; i < 3; i++) {
    const r = await runMain([
      "--responder",
      "--reservations",
      "examples/reservations.yaml",
      "--nats-url",
      nats.url,
      "--nats-token",
      "wrong-token",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Authorization Violation/);
    assert.doesNotMatch(r.stderr, /Uncaught|ECONNRESET/);
    assert.doesNotMatch(r.stderr, /wrong-token/);
  }
});

Deno.test("main - probe prints a clear failure when no server answers", async () => {
  const r = await runMain([
    "probe",
    "--mac",
    "08:00:27:29:4e:67",
    "--server",
    "127.0.0.1:9",
    "--timeout",
    "300ms",
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /check --server and that the server has a reservation/,
  );
});

Deno.test("main - deno task example prints the lease it was offered", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "example"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  const reader = (async () => {
    for await (const chunk of child.stdout) stdout += decoder.decode(chunk);
  })();
  const errReader = (async () => {
    for await (const _ of child.stderr) { /* lookups are logged here */ }
  })();
  const deadline = Date.now() + 30_000;
  while (!/Press Ctrl-C to stop/.test(stdout) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGINT");
  await child.status;
  await reader;
  await errReader;
  assert.match(stdout, /address\s+192\.168\.2\.153/);
  assert.match(stdout, /subnet mask\s+255\.255\.255\.0/);
  assert.match(stdout, /router\s+192\.168\.2\.1/);
  assert.match(stdout, /DNS servers\s+192\.168\.2\.1/);
  assert.match(stdout, /boot file\s+ipxe\.efi/);
});
