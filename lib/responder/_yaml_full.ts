/**
 * The fallback reader: the full `yaml` parser (YAML 1.2, so JSON too),
 * turned into the neutral tree, with syntax errors located by line.
 *
 * @module
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { RawEntry, RawNode, RawParseResult } from "./_raw_tree.ts";

/** Read `text` with the full YAML parser. */
export function parseYamlFull(text: string): RawParseResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: counter,
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        line: counter.linePos(e.pos[0]).line,
        message: e.message.split("\n")[0].replace(/\.$/, ""),
      })),
    };
  }
  const lineOf = (node: Node | null | undefined, fallback: number) =>
    node?.range ? counter.linePos(node.range[0]).line : fallback;

  const convert = (node: unknown, line: number, depth: number): RawNode => {
    if (depth > 64) throw new RangeError("Nesting is too deep");
    if (isAlias(node)) {
      return convert(node.resolve(doc), line, depth + 1);
    }
    if (isMap(node)) {
      const entries: RawEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const keyLine = lineOf(keyNode, line);
        let key: string;
        if (isScalar(keyNode)) {
          key = keyNode.source ?? String(keyNode.value);
        } else {
          key = JSON.stringify(keyNode?.toJSON() ?? null);
        }
        entries.push({
          key,
          line: keyLine,
          value: convert(pair.value, keyLine, depth + 1),
        });
      }
      return { kind: "map", line: lineOf(node, line), entries };
    }
    if (isSeq(node)) {
      const at = lineOf(node, line);
      return {
        kind: "seq",
        line: at,
        items: node.items.map((item) => convert(item, at, depth + 1)),
      };
    }
    if (isScalar(node)) {
      return { kind: "scalar", line: lineOf(node, line), value: node.value };
    }
    return { kind: "scalar", line, value: null };
  };

  const contents = doc.contents;
  if (contents === null) return { ok: true, root: undefined };
  return { ok: true, root: convert(contents, 1, 0) };
}
