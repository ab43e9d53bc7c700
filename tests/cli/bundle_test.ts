/**
 * The single-file bundle, tried as a new user would: built, copied to an
 * empty directory, and run there with an empty `DENO_DIR` and
 * `--cached-only`, so nothing can come from the checkout or the cache.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** An empty directory holding a fresh bundle and an empty DENO_DIR. */
interface BundleDir extends AsyncDisposable {
  /** The directory (the working directory of every run). */
  dir: string;
  /** The bundle, `dhcp-nats.js`, inside `dir`. */
  bundle: string;
}

async function bundleInEmptyDir(): Promise<BundleDir> {
  const dir = await Deno.makeTempDir();
  const bundle = `${dir}/dhcp-nats.js`;
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--output", bundle, "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, decoder.decode(built.stderr));
  await Deno.mkdir(`${dir}/deno_dir`);
  return {
    dir,
    bundle,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** `deno run --cached-only` of the bundle in its directory; -A by default. */
function bundleCommand(
  b: BundleDir,
  args: string[],
  permissions: string[] = ["-A"],
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "--no-config",
      ...permissions,
      b.bundle,
      ...args,
    ],
    cwd: b.dir,
    env: { DENO_DIR: `${b.dir}/deno_dir` },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  });
}

async function runBundle(
  b: BundleDir,
  args: string[],
  permissions?: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await bundleCommand(b, args, permissions).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Nothing was fetched or cached (Deno may create an empty npm folder). */
function assertNothingFetched(b: BundleDir): void {
  const npm = `${b.dir}/deno_dir/npm`;
  let fetched: string[] = [];
  try {
    fetched = [...Deno.readDirSync(npm)].map((e) => e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  assert.deepEqual(fetched, []);
}

/** A role started from the bundle, its output collected as it comes. */
class BundleProcess implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #done: Promise<unknown>;
  output = "";

  constructor(b: BundleDir, args: string[]) {
    this.#child = bundleCommand(b, args).spawn();
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) this.output += decoder.decode(chunk);
    };
    this.#done = Promise.all([
      collect(this.#child.stdout),
      collect(this.#child.stderr),
    ]);
  }

  /**
   * Wait (up to a minute, for a loaded machine) for a line of output.
   *
   * @returns The pattern's first capture group.
   */
  async waitFor(pattern: RegExp): Promise<string> {
    const deadline = Date.now() + 60_000;
    while (!pattern.test(this.output) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const match = this.output.match(pattern);
    assert.ok(match, `never printed ${pattern}:\n${this.output}`);
    return match[1];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await this.#child.status;
    await this.#done;
  }
}

Deno.test("bundle - the single-file bundle runs a full DORA with an empty DENO_DIR and --cached-only", async () => {
  await using b = await bundleInEmptyDir();
  const run = await runBundle(b, [
    "demo",
    "--once",
    "--reservations",
    `${ROOT}examples/reservations.yaml`,
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /embedded NATS server\s+nats:\/\/127\.0\.0\.1:\d+/);
  assert.match(run.stdout, /address\s+192\.168\.2\.153/);
  assert.match(run.stdout, /boot file\s+ipxe\.efi/);
  // Nothing was fetched or cached: the bundle is self-contained.
  assertNothingFetched(b);
});

Deno.test("bundle - demo runs from an empty directory on its built-in reservations, reading no file", async () => {
  await using b = await bundleInEmptyDir();
  // No --allow-read: the reservations must come from inside the bundle.
  const run = await runBundle(b, ["demo", "--once"], [
    "--allow-net",
    "--allow-env",
    "--allow-sys",
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /responder\s+built-in examples\/reservations\.yaml \(4 hosts\)/,
  );
  assert.match(run.stdout, /probe: DORA for 08:00:27:29:4e:67/);
  assert.match(run.stdout, /address\s+192\.168\.2\.153/);
  assert.match(run.stdout, /boot file\s+ipxe\.efi/);
  assertNothingFetched(b);
});

Deno.test("bundle - --help and --version work from an empty directory", async () => {
  await using b = await bundleInEmptyDir();
  const help = await runBundle(b, ["--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--responder/);
  assert.match(help.stdout, /DHCP_NATS_URL/);
  const version = await runBundle(b, ["--version"]);
  assert.equal(version.code, 0, version.stderr);
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.deepEqual(version.stdout.split("\n"), [
    `dhcp-nats ${denoJson.version}`,
    `deno ${Deno.version.deno}`,
    `v8 ${Deno.version.v8}`,
    "",
  ]);
  const bad = await runBundle(b, ["--no-such-flag"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--help/);
  assertNothingFetched(b);
});

Deno.test("bundle - the three roles and probe, each its own process from the bundle, serve a reservations file given by path", async () => {
  await using b = await bundleInEmptyDir();
  await Deno.copyFile(
    `${ROOT}examples/reservations.yaml`,
    `${b.dir}/hosts.yaml`,
  );
  // Port 0 everywhere: each role logs the address it got.
  await using broker = new BundleProcess(b, [
    "--server",
    "--nats-url",
    "nats://127.0.0.1:0",
  ]);
  const natsUrl = await broker.waitFor(
    /Broker listening.* url=(nats:\/\/127\.0\.0\.1:[1-9]\d*)/,
  );
  await using responder = new BundleProcess(b, [
    "--responder",
    "--reservations",
    "hosts.yaml",
    "--nats-url",
    natsUrl,
  ]);
  await responder.waitFor(/Reservations loaded.*hosts=4/);
  await using server = new BundleProcess(b, [
    "--listen",
    "127.0.0.1:0",
    "--nats-url",
    natsUrl,
    "--tftp-server",
    "127.0.0.1:69",
  ]);
  const dhcp = await server.waitFor(
    /DHCP server listening.* listen=(127\.0\.0\.1:[1-9]\d*)/,
  );

  const probe = await runBundle(b, [
    "probe",
    "--mac",
    "08:00:27:29:4e:67",
    "--server",
    dhcp,
    "--arch",
    "7",
    "--timeout",
    "30s",
    "--json",
  ]);
  assert.equal(probe.code, 0, probe.stdout + probe.stderr + server.output);
  const lease = JSON.parse(probe.stdout);
  assert.equal(lease.address, "192.168.2.153", probe.stdout);
  assert.match(probe.stdout, /ipxe\.efi/);
  assertNothingFetched(b);
});

Deno.test("bundle - .github/smoke-test.sh, which the workflows run on the binaries, passes on the bundle and fails on another program", async () => {
  await using b = await bundleInEmptyDir();
  const smoke = (command: string[]) =>
    new Deno.Command("bash", {
      args: [`${ROOT}.github/smoke-test.sh`, ...command],
      env: { DENO_DIR: `${b.dir}/deno_dir` },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const ok = await smoke([
    Deno.execPath(),
    "run",
    "-A",
    "--cached-only",
    "--no-config",
    b.bundle,
  ]);
  const output = decoder.decode(ok.stdout) + decoder.decode(ok.stderr);
  assert.equal(ok.code, 0, output);
  assert.match(output, /smoke test passed/);
  const wrong = await smoke(["echo"]);
  assert.equal(wrong.code, 1);
  assert.match(decoder.decode(wrong.stderr), /--version: printed/);
  const none = await smoke([]);
  assert.equal(none.code, 2);
  assertNothingFetched(b);
});
