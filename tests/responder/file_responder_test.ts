import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { startFileResponder } from "../../lib/responder/file_responder.ts";
import { ReservationFileError } from "../../lib/responder/reservation_file.ts";
import { lookup, SUBJECT, tempDir, until } from "./_lookup.ts";
import { aliasBomb } from "./_files.ts";

const MAC = "08:00:27:29:4e:67";

function hostsFile(version: string, count: number, octet: number): string {
  let text = `# version ${version}\n`;
  for (let i = 0; i < count; i++) {
    text += `02:00:00:00:00:${i.toString(16).padStart(2, "0")}:\n` +
      `  ipAddress: 10.${octet}.0.${i}\n  hostname: ${version}-${i}\n`;
  }
  return text;
}

Deno.test("file responder - an invalid file at start is a start-up error listing every problem", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/hosts.yaml`;
  await Deno.writeTextFile(
    file,
    `${MAC}:\n  ipAddress: 192.168.2.256\n  leaseTime: 90000000000\n` +
      `08-00-27-29-4E-67:\n  ipAddress: 192.168.2.2\n`,
  );
  await using nats = await startNatsServer();
  await assert.rejects(
    startFileResponder({ file, servers: nats.url }),
    (err: Error) => {
      assert.ok(err instanceof ReservationFileError);
      assert.equal(
        err.message,
        `Cannot load reservations file ${file}: 3 errors\n` +
          `  ${file}:2: ${MAC}: ipAddress: "192.168.2.256" is not an IPv4 address\n` +
          `  ${file}:3: ${MAC}: leaseTime: 90000000000 is out of range (0 to 4294967295 seconds)\n` +
          `  ${file}:4: 08-00-27-29-4E-67: duplicate MAC address (first defined on line 1 as ${MAC})`,
      );
      return true;
    },
  );
  await assert.rejects(
    startFileResponder({ file: `${dir.path}/missing.yaml`, servers: nats.url }),
    Deno.errors.NotFound,
  );
});

/** A file responder on `text`, logging into `lines`; dispose to stop all. */
async function servedFile(
  text: string,
  options: { watch?: boolean } = {},
) {
  const stack = new AsyncDisposableStack();
  try {
    const dir = stack.use(await tempDir());
    const file = `${dir.path}/hosts.yaml`;
    await Deno.writeTextFile(file, text);
    const nats = stack.use(await startNatsServer());
    const lines: string[] = [];
    const responder = stack.use(
      await startFileResponder({
        file,
        servers: nats.url,
        subject: SUBJECT,
        logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
        serviceName: false,
        ...options,
      }),
    );
    const moved = stack.move();
    return {
      dir,
      file,
      nats,
      lines,
      responder,
      [Symbol.asyncDispose]: () => moved.disposeAsync(),
    };
  } catch (err) {
    await stack.disposeAsync();
    throw err;
  }
}

Deno.test("file responder - reloads a changed file, keeps the last good data on an invalid one", async () => {
  await using served = await servedFile(`${MAC}:\n  ipAddress: 192.168.2.10\n`);
  const { dir, file, nats, lines, responder } = served;
  const nc = await connect({ servers: nats.url });
  try {
    assert.equal((await lookup(nc, MAC))?.ipAddress, "192.168.2.10");

    // In place.
    await Deno.writeTextFile(file, `${MAC}:\n  ipAddress: 192.168.2.11\n`);
    await until(
      async () =>
        (await lookup(nc, MAC))?.ipAddress === "192.168.2.11" || undefined,
      "the first reload",
    );

    // Invalid: logged, old data stays.
    await Deno.writeTextFile(
      file,
      `${MAC}:\n  ipAddress: 192.168.2.12\n  hostnme: x\n`,
    );
    await until(
      () => Promise.resolve(responder.watcher!.rejected > 0 || undefined),
      "the rejection",
    );
    assert.equal((await lookup(nc, MAC))?.ipAddress, "192.168.2.11");
    const rejection = lines.find((l) =>
      l.includes("Rejected the new reservations file")
    );
    assert.ok(rejection, lines.join("\n"));
    assert.match(
      rejection,
      /ERROR Rejected the new reservations file, keeping the last good data/,
    );
    assert.ok(
      rejection.includes(
        `${file}:3: ${MAC}: hostnme: unknown field (did you mean \\"hostname\\"?)`,
      ),
      rejection,
    );

    // Replaced by rename, as editors and config tools do.
    const tmp = `${dir.path}/.hosts.yaml.tmp`;
    await Deno.writeTextFile(tmp, `${MAC}:\n  ipAddress: 192.168.2.13\n`);
    await Deno.rename(tmp, file);
    await until(
      async () =>
        (await lookup(nc, MAC))?.ipAddress === "192.168.2.13" || undefined,
      "the reload after rename",
    );
    assert.equal(responder.watcher!.reloads, 2);
    assert.ok(
      lines.some((l) => /INFO +Reservations reloaded .*hosts=1/.test(l)),
    );
  } finally {
    await nc.close();
  }
});

Deno.test("file responder - a reload under load answers every request wholly from the old or the new data", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/hosts.yaml`;
  const count = 200;
  await Deno.writeTextFile(file, hostsFile("a", count, 1));
  await using nats = await startNatsServer();
  await using responder = await startFileResponder({
    file,
    servers: nats.url,
    subject: SUBJECT,
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  const seen = { a: 0, b: 0, c: 0 };
  let stop = false;
  const worker = async (w: number) => {
    for (let n = w; !stop; n += 16) {
      const i = n % count;
      const mac = `02:00:00:00:00:${i.toString(16).padStart(2, "0")}`;
      const r = await lookup(nc, mac);
      assert.ok(r, `every MAC is in every version (${mac})`);
      const version = r.hostname!.split("-")[0] as "a" | "b" | "c";
      const octet = { a: 1, b: 2, c: 3 }[version];
      assert.equal(
        r.ipAddress,
        `10.${octet}.0.${i}`,
        "ip and hostname from one version",
      );
      assert.equal(r.hostname, `${version}-${i}`);
      seen[version]++;
    }
  };
  try {
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    for (const [version, octet] of [["b", 2], ["c", 3]] as const) {
      await new Promise((r) => setTimeout(r, 300));
      const tmp = `${dir.path}/next.yaml`;
      await Deno.writeTextFile(tmp, hostsFile(version, count, octet));
      await Deno.rename(tmp, file);
      await until(
        () =>
          Promise.resolve(responder.store.generation >= octet - 1 || undefined),
        `version ${version}`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    assert.ok(seen.a > 0 && seen.b > 0 && seen.c > 0, JSON.stringify(seen));
    assert.equal(responder.stats.errors, 0);
    assert.equal(responder.stats.notFound, 0);
  } finally {
    stop = true;
    await nc.close();
  }
});

Deno.test("file responder - an alias bomb written over the served file is refused, the old data answers", async () => {
  await using served = await servedFile(`${MAC}:\n  ipAddress: 192.168.2.10\n`);
  const { file, nats, lines, responder } = served;
  const nc = await connect({ servers: nats.url });
  try {
    await Deno.writeTextFile(
      file,
      `${MAC}:\n  ipAddress: 192.168.2.11\n` + aliasBomb(),
    );
    await until(
      () => Promise.resolve(responder.watcher!.rejected > 0 || undefined),
      "the rejection",
    );
    assert.equal((await lookup(nc, MAC))?.ipAddress, "192.168.2.10");
    const rejection = lines.find((l) => l.includes("Rejected"));
    assert.ok(rejection, lines.join("\n"));
    assert.match(rejection, /hosts\.yaml:[0-9]+: a[0-9]: aliases expand/);
    assert.equal(responder.watcher!.reloads, 0);
  } finally {
    await nc.close();
  }
});

Deno.test("file responder - an empty file loads with a warning", async () => {
  await using served = await servedFile("# no hosts yet\n", { watch: false });
  const { lines, responder } = served;
  assert.equal(responder.store.size, 0);
  assert.ok(
    lines.some((l) => /WARN +The reservations file has no hosts/.test(l)),
    lines.join("\n"),
  );
});
