/**
 * The GitHub workflows: valid for GitHub (checked with action-validator from
 * npm, pinned in deno.json), and doing what the release process promises.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url).pathname;
const WORKFLOWS = `${ROOT}.github/workflows`;
const decoder = new TextDecoder();

/** The targets a release is built for. */
const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

/** Run action-validator on one file; exit code and what it printed. */
async function actionValidator(
  file: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-read",
      "--allow-env",
      "npm:@action-validator/cli@0.6.0",
      file,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    output: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
}

interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

async function readWorkflow(name: string): Promise<Workflow> {
  return parse(await Deno.readTextFile(`${WORKFLOWS}/${name}`)) as Workflow;
}

function runLines(workflow: Workflow): string {
  return Object.values(workflow.jobs).flatMap((job) => job.steps)
    .map((step) => step.run ?? "").join("\n");
}

Deno.test("workflows - ci.yml and release.yml pass action-validator", async () => {
  const files = [...Deno.readDirSync(WORKFLOWS)].map((e) => e.name).sort();
  assert.deepEqual(files, ["ci.yml", "release.yml"]);
  for (const file of files) {
    const { code, output } = await actionValidator(`${WORKFLOWS}/${file}`);
    assert.equal(code, 0, `${file}:\n${output}`);
  }
});

Deno.test("workflows - action-validator rejects a workflow GitHub would reject", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/broken.yml`;
    await Deno.writeTextFile(
      file,
      "name: broken\non: [pushy]\njobs:\n  t:\n    runs-onn: ubuntu-latest\n",
    );
    const { code, output } = await actionValidator(file);
    assert.equal(code, 1, output);
    assert.match(output, /runs-onn/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The Deno version .ci/run installs. */
async function ciDenoVersion(): Promise<string> {
  const ciRun = await Deno.readTextFile(`${ROOT}.ci/run`);
  const m = ciRun.match(/npm install -g deno@(\S+)/);
  assert.ok(m, ".ci/run installs no Deno");
  return m[1];
}

Deno.test("workflows - ci.yml runs .ci/run as root on ubuntu-latest, and deno task compile with the smoke test", async () => {
  const ci = await readWorkflow("ci.yml");
  assert.deepEqual(Object.keys(ci.jobs).sort(), ["compile", "test"]);
  for (const job of Object.values(ci.jobs)) {
    assert.equal(job["runs-on"], "ubuntu-latest");
  }
  const test = runLines({ ...ci, jobs: { test: ci.jobs.test } });
  assert.match(test, /^sudo .*bash \.ci\/run$/m);
  const compile = runLines({ ...ci, jobs: { compile: ci.jobs.compile } });
  assert.ok(compile.includes(`npm install -g deno@${await ciDenoVersion()}`));
  assert.match(compile, /^deno task compile$/m);
  assert.match(compile, /^\.github\/smoke-test\.sh "\$PWD\/dist\/dhcp-nats"$/m);
});

Deno.test("workflows - release.yml builds every target with deno task compile, the bundle and SHA256SUMS on a version tag", async () => {
  const text = await Deno.readTextFile(`${WORKFLOWS}/release.yml`);
  const release = parse(text) as Workflow;
  assert.deepEqual(release.on, { push: { tags: ["v*"] } });
  assert.deepEqual(release.env?.TARGETS.split(/\s+/), RELEASE_TARGETS);
  const run = runLines(release);
  // The compile command line has one definition: deno task compile.
  assert.match(
    run,
    /for target in \$TARGETS; do\s+deno task compile --target "\$target"/,
  );
  assert.doesNotMatch(text, /deno compile|--allow-/);
  assert.match(run, /^deno task bundle$/m);
  assert.match(
    run,
    /^\.github\/smoke-test\.sh "\$PWD\/dist\/dhcp-nats-x86_64-unknown-linux-gnu"$/m,
  );
  assert.match(
    run,
    /^\.github\/smoke-test\.sh deno run -A "\$PWD\/dist\/dhcp-nats\.js"$/m,
  );
  assert.match(run, /sha256sum dhcp-nats-\* dhcp-nats\.js > SHA256SUMS/);
  assert.match(
    run,
    /gh release create[^]*dist\/dhcp-nats-\* dist\/dhcp-nats\.js dist\/SHA256SUMS/,
  );
  // The Deno that builds the release is the one CI tests with.
  assert.equal(release.env?.DENO_VERSION, await ciDenoVersion());
});
