/**
 * `deno task compile`: one definition of the command line (in
 * scripts/compile.ts), the same permissions as the README and the demo task.
 * The compile itself needs Deno's runtime download, which the release
 * workflow has and this test machine may not; the command line is checked
 * here instead.
 */
import assert from "node:assert/strict";
import { compileArgs, PERMISSIONS } from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function denoJson(): Promise<{ tasks: Record<string, string> }> {
  return JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
}

/** The `--allow-*` flags in a command line, sorted. */
function allowFlags(commandLine: string): string[] {
  return (commandLine.match(/--allow-[a-z-]+/g) ?? []).sort();
}

Deno.test("compile - compileArgs() builds dist/dhcp-nats, or dist/dhcp-nats-TARGET for a --target", () => {
  const permissions = Object.keys(PERMISSIONS);
  assert.deepEqual(compileArgs(), [
    "compile",
    ...permissions,
    "--include",
    "lib/responder/_reader_worker.ts",
    "--output",
    "dist/dhcp-nats",
    "main.ts",
  ]);
  assert.deepEqual(compileArgs("aarch64-apple-darwin"), [
    "compile",
    ...permissions,
    "--target",
    "aarch64-apple-darwin",
    "--include",
    "lib/responder/_reader_worker.ts",
    "--output",
    "dist/dhcp-nats-aarch64-apple-darwin",
    "main.ts",
  ]);
});

Deno.test("compile - deno task compile --target --print shows the command it runs", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--quiet",
      "compile",
      "--target",
      "x86_64-apple-darwin",
      "--print",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.equal(
    decoder.decode(out.stdout),
    `deno ${compileArgs("x86_64-apple-darwin").join(" ")}\n`,
  );
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "compile", "--taget", "x"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.match(
    decoder.decode(bad.stderr),
    /--taget[^]*Usage: deno task compile/,
  );
});

Deno.test("compile - the README's permission table, the compile script and the demo task agree", async () => {
  const permissions = Object.keys(PERMISSIONS).sort();
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const install = readme.split(/^## /m).find((s) => s.startsWith("Install"));
  assert.ok(install, "README has no Install section");
  const table = [
    ...install.matchAll(/^\| `(--allow-[a-z-]+)` +\| (.*?) +\|$/gm),
  ].map((m) => [m[1], m[2]]);
  assert.deepEqual(Object.fromEntries(table), PERMISSIONS);
  const { tasks } = await denoJson();
  assert.match(tasks.compile, /scripts\/compile\.ts$/);
  assert.deepEqual(allowFlags(tasks.example), permissions);
});
