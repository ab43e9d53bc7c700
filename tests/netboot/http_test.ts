import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { createLogger } from "../../lib/log/logger.ts";
import {
  hostScriptUrl,
  startHttpServer,
} from "../../lib/netboot/http/server.ts";
import { createBootFiles } from "./_boot_files.ts";

const SCRIPT = "#!ipxe\necho hello from dhcp-nats\n";

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Run curl (a real HTTP client) and return the status, headers and body. */
async function curl(url: string, ...args: string[]): Promise<CurlResult> {
  const dir = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command("curl", {
      args: [
        "-sS",
        "--path-as-is",
        "-D",
        `${dir}/h`,
        "-o",
        `${dir}/b`,
        ...args,
        url,
      ],
      stderr: "piped",
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    const lines = (await Deno.readTextFile(`${dir}/h`)).split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(":");
      if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const body = await Deno.readFile(`${dir}/b`).catch(() => new Uint8Array());
    return { status, headers, body };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function withServer(
  fn: (
    base: string,
    files: Map<string, Uint8Array>,
    log: Record<string, unknown>[],
  ) => Promise<void>,
  backend?: MemoryBackend,
) {
  await using boot = await createBootFiles();
  const log: Record<string, unknown>[] = [];
  await using http = startHttpServer({
    hostname: "127.0.0.1",
    port: 0,
    dir: boot.dir,
    backend,
    logger: createLogger({
      format: "json",
      write: (l) => log.push(JSON.parse(l)),
    }),
  });
  await fn(`http://127.0.0.1:${http.port}`, boot.files, log);
}

Deno.test("http - GET serves a file whole with Content-Length, and logs the request", () =>
  withServer(async (base, files, log) => {
    const r = await curl(`${base}/one.bin`);
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-length"], String(1 << 20));
    assert.equal(r.headers["accept-ranges"], "bytes");
    assert.deepEqual(r.body, files.get("one.bin"));
    const sub = await curl(`${base}/sub/inner.bin`);
    assert.deepEqual(sub.body, files.get("sub/inner.bin"));
    const line = log.find((l) => l.path === "/one.bin");
    assert.equal(line?.level, "info");
    assert.equal(line?.msg, "http request");
    assert.equal(line?.status, 200);
    assert.equal(line?.bytes, 1 << 20);
    assert.equal(line?.client, "127.0.0.1");
  }));

Deno.test("http - HEAD gives the headers and no body", () =>
  withServer(async (base) => {
    const r = await curl(`${base}/small.bin`, "-I");
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-length"], "1000");
    // With -I curl writes the headers where the body would go: no body bytes.
    assert.match(
      new TextDecoder().decode(r.body),
      /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/,
    );
  }));

Deno.test("http - Range requests get 206 with the bytes asked for", () =>
  withServer(async (base, files) => {
    const one = files.get("one.bin")!;
    const cases: [string, number, number][] = [
      ["100-199", 100, 199],
      ["1048000-", 1048000, one.length - 1],
      ["-10", one.length - 10, one.length - 1],
      ["0-99999999", 0, one.length - 1],
    ];
    for (const [spec, start, end] of cases) {
      const r = await curl(`${base}/one.bin`, "-r", spec);
      assert.equal(r.status, 206, spec);
      assert.equal(
        r.headers["content-range"],
        `bytes ${start}-${end}/${one.length}`,
      );
      assert.equal(r.headers["content-length"], String(end - start + 1));
      assert.deepEqual(r.body, one.subarray(start, end + 1), spec);
    }
    const past = await curl(`${base}/one.bin`, "-r", `${one.length}-`);
    assert.equal(past.status, 416);
    assert.equal(past.headers["content-range"], `bytes */${one.length}`);
  }));

Deno.test("http - paths out of the boot directory get 403, missing files 404, and are logged", () =>
  withServer(async (base, _files, log) => {
    const cases: [string, number][] = [
      // The URL parser resolves "/../" itself: what is left is /secret.txt,
      // which is not in the boot directory.
      ["/../secret.txt", 404],
      ["/sub/..%2F..%2Fsecret.txt", 403],
      ["/%2Fetc%2Fpasswd", 403],
      ["/out-link", 403],
      ["/sub", 403],
      ["/fifo", 403],
      ["/", 403],
      ["/nope.bin", 404],
      ["/%zz", 400],
    ];
    for (const [path, status] of cases) {
      const r = await curl(`${base}${path}`);
      assert.equal(r.status, status, path);
      assert.ok(!new TextDecoder().decode(r.body).includes("not for clients"));
    }
    const refused = log.filter((l) => l.status === 403);
    assert.ok(refused.every((l) => typeof l.reason === "string"));
    assert.equal(log.length, cases.length, "one access log line each");
  }));

Deno.test("http - methods other than GET and HEAD get 405", () =>
  withServer(async (base) => {
    const r = await curl(`${base}/small.bin`, "-X", "PUT", "-d", "x");
    assert.equal(r.status, 405);
    assert.equal(r.headers["allow"], "GET, HEAD");
  }));

Deno.test("http - the host script route serves a reservation's script to that host only", async () => {
  const mac = "08:00:27:29:4e:67";
  const backend = new MemoryBackend([
    {
      macAddress: mac,
      ipAddress: "127.0.0.1",
      netboot: { allowNetboot: true },
      extensions: { ipxeScript: SCRIPT },
    },
    {
      macAddress: "08:00:27:00:00:02",
      ipAddress: "10.9.9.9",
      extensions: { ipxeScript: SCRIPT },
    },
    { macAddress: "08:00:27:00:00:03", ipAddress: "127.0.0.1" },
  ]);
  await withServer(async (base) => {
    const ok = await curl(hostScriptUrl(base, mac));
    assert.equal(ok.status, 200);
    assert.equal(new TextDecoder().decode(ok.body), SCRIPT);
    // Another host's script: the requester is not that host.
    const other = await curl(hostScriptUrl(base, "08:00:27:00:00:02"));
    assert.equal(other.status, 403);
    assert.equal(
      (await curl(hostScriptUrl(base, "08:00:27:00:00:03"))).status,
      404,
    );
    assert.equal(
      (await curl(hostScriptUrl(base, "08:00:27:00:00:04"))).status,
      404,
    );
    assert.equal((await curl(`${base}/ipxe-script/not-a-mac`)).status, 400);
  }, backend);
});
