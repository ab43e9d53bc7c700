/**
 * The layering rules of STYLE.md, checked on the import statements of
 * `lib/`: imports only go down the folder order, no circles between
 * folders or between files (type-only imports included), and the metrics
 * are used only where the roles are assembled.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const LIB = resolve(import.meta.dirname!, "../lib");

/**
 * Each folder's layer: a folder may import its own layer or a lower one.
 * cli -> roles -> lookup (nats, backend, cloudevents) and metrics -> dhcp ->
 * the bottom (sys: libc through FFI).
 */
const LAYER: Record<string, number> = {
  cli: 5,
  server: 4,
  responder: 4,
  broker: 4,
  client: 4,
  netboot: 4,
  nats: 3,
  backend: 3,
  cloudevents: 3,
  metrics: 3,
  dhcp: 2,
  tracing: 1,
  bytes: 1,
  net: 1,
  timer: 1,
  log: 1,
  types: 1,
  sys: 1,
};

/** The folders that may import `lib/metrics`: where roles are assembled. */
const METRICS_USERS = new Set(["cli", "metrics"]);

function libFiles(dir = LIB): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...libFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\b[^"';]*?\bfrom\s*"(\.[^"]+)"|(?:^|[\s;])import\s*(?:\(\s*)?"(\.[^"]+)"/g;

/** The relative imports of one file, resolved; comments (doc examples) skipped. */
function importsOf(file: string): string[] {
  const code = Deno.readTextFileSync(file)
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join("\n");
  return [...code.matchAll(SPECIFIER)].map((m) =>
    resolve(dirname(file), m[1] ?? m[2])
  );
}

function folderOf(file: string): string {
  return relative(LIB, file).split("/")[0];
}

/**
 * The circles in `graph`: its strongly connected components of more than
 * one node (or a node importing itself), each sorted (Tarjan's algorithm).
 */
function findCycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) {
        out.push(component.sort());
      }
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return out;
}

const files = libFiles();
const fileGraph = new Map(
  files.map((file) => [file, new Set(importsOf(file))]),
);

Deno.test("layers - every lib folder has a layer", () => {
  const unknown = [...new Set(files.map(folderOf))]
    .filter((f) => !f.endsWith(".ts") && LAYER[f] === undefined);
  assert.deepEqual(unknown, []);
});

Deno.test("layers - every relative import names a file that exists", () => {
  const missing = [...fileGraph].flatMap(([file, imports]) =>
    [...imports].filter((target) => {
      try {
        return !Deno.statSync(target).isFile;
      } catch {
        return true;
      }
    }).map((target) => `${relative(LIB, file)} -> ${target}`)
  );
  assert.deepEqual(missing, []);
});

Deno.test("layers - imports go only down the folder order", () => {
  const upward: string[] = [];
  for (const [file, imports] of fileGraph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (from !== to && LAYER[from] < LAYER[to]) {
        upward.push(`${relative(LIB, file)} -> ${relative(LIB, target)}`);
      }
    }
  }
  assert.deepEqual(upward, []);
});

Deno.test("layers - lib/metrics is imported only where roles are assembled", () => {
  const users: string[] = [];
  for (const [file, imports] of fileGraph) {
    if (METRICS_USERS.has(folderOf(file))) continue;
    for (const target of imports) {
      if (folderOf(target) === "metrics") {
        users.push(`${relative(LIB, file)} -> ${relative(LIB, target)}`);
      }
    }
  }
  assert.deepEqual(users, []);
});

Deno.test("layers - no file imports another folder's private (_) module", () => {
  const reached: string[] = [];
  for (const [file, imports] of fileGraph) {
    for (const target of imports) {
      const name = target.split("/").at(-1)!;
      if (name.startsWith("_") && folderOf(target) !== folderOf(file)) {
        reached.push(`${relative(LIB, file)} -> ${relative(LIB, target)}`);
      }
    }
  }
  assert.deepEqual(reached, []);
});

Deno.test("layers - no circle between folders", () => {
  const graph = new Map<string, Set<string>>();
  for (const [file, imports] of fileGraph) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of imports) {
      if (folderOf(target) !== from) edges.add(folderOf(target));
    }
    graph.set(from, edges);
  }
  assert.deepEqual(findCycles(graph), []);
});

Deno.test("layers - no circle between files, type-only imports included", () => {
  const cycles = findCycles(fileGraph)
    .map((cycle) => cycle.map((f) => relative(LIB, f)));
  assert.deepEqual(cycles, []);
});

Deno.test("layers - the checker finds a circle and an upward import", () => {
  const graph = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c"])],
    ["c", new Set(["a"])],
  ]);
  assert.deepEqual(findCycles(graph), [["a", "b", "c"]]);
  assert.deepEqual(findCycles(new Map([["a", new Set(["b"])]])), []);
  const sample = join(LIB, "dhcp", "x.ts");
  const text = [
    'import type { A } from "../server/a.ts";',
    "/**",
    ' * import { B } from "../cli/b.ts";',
    " */",
    'export { C } from "./c.ts";',
    "import {",
    "  D,",
    '} from "../bytes/d.ts";',
  ].join("\n");
  const code = text.split("\n").filter((line) =>
    !/^\s*(\/\/|\/\*|\*)/.test(line)
  ).join("\n");
  const found = [...code.matchAll(SPECIFIER)].map((m) =>
    relative(LIB, resolve(dirname(sample), m[1] ?? m[2]))
  );
  assert.deepEqual(found, ["server/a.ts", "dhcp/c.ts", "bytes/d.ts"]);
});
