import assert from "node:assert/strict";
import { flagsTable } from "../../lib/cli/flags_table.ts";

Deno.test("README - the flag table matches the settings table", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  const m = /<!-- flags:begin -->\n([\s\S]*?)\n<!-- flags:end -->/.exec(readme);
  assert.ok(m, "README has no flags section");
  // deno fmt pads Markdown tables; compare cells, not spacing.
  const cells = (table: string) =>
    table.trim().split("\n").map((line) =>
      line.replace(/\s*\|\s*/g, "|").replace(/-{3,}/g, "---")
    );
  assert.deepEqual(
    cells(m[1]),
    cells(flagsTable()),
    "run: deno run -A scripts/flags_table.ts, and paste it into README.md",
  );
});

Deno.test("README - has the two set-up commands", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  assert.match(readme, /deno task example/);
  assert.match(readme, /bash \.ci\/run/);
});
