import assert from "node:assert/strict";
import { VERSION, versionText } from "../../lib/cli/version.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function denoJsonVersion(): Promise<string> {
  const text = await Deno.readTextFile(`${ROOT}deno.json`);
  return (JSON.parse(text) as { version: string }).version;
}

Deno.test("version - VERSION is the version field of deno.json", async () => {
  assert.equal(VERSION, await denoJsonVersion());
  assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

Deno.test("version - versionText() names our version and the Deno and V8 versions", () => {
  assert.equal(
    versionText({ deno: "2.9.6", v8: "15.0.245.2-rusty" }),
    `dhcp-nats ${VERSION}\ndeno 2.9.6\nv8 15.0.245.2-rusty`,
  );
});

Deno.test("version - dhcp-nats --version prints deno.json's version and the runtime's, exit 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--version"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.deepEqual(decoder.decode(out.stdout).split("\n"), [
    `dhcp-nats ${await denoJsonVersion()}`,
    `deno ${Deno.version.deno}`,
    `v8 ${Deno.version.v8}`,
    "",
  ]);
});
