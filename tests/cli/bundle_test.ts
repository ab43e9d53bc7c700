import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

Deno.test("bundle - the single-file bundle runs a full DORA with an empty DENO_DIR and --cached-only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/dhcp-nats.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--output", bundle, "main.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, decoder.decode(built.stderr));
    await Deno.mkdir(`${dir}/deno_dir`);
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--cached-only",
        "--no-config",
        "-A",
        bundle,
        "demo",
        "--once",
        "--reservations",
        `${ROOT}examples/reservations.yaml`,
      ],
      cwd: dir,
      env: { DENO_DIR: `${dir}/deno_dir` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = decoder.decode(run.stdout);
    assert.equal(run.code, 0, stdout + decoder.decode(run.stderr));
    assert.match(stdout, /embedded NATS server\s+nats:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /address\s+192\.168\.2\.153/);
    assert.match(stdout, /boot file\s+ipxe\.efi/);
    // Nothing was fetched or cached: the bundle is self-contained.
    // Nothing was fetched or cached: the bundle is self-contained (Deno may
    // create an empty npm folder).
    const npm = `${dir}/deno_dir/npm`;
    const fetched = await Deno.stat(npm).then(
      () => [...Deno.readDirSync(npm)].map((e) => e.name),
      () => [],
    );
    assert.deepEqual(fetched, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
