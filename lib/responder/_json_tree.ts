/**
 * JSON reservations files and KV values: `JSON.parse` (fast, but without
 * lines, and it keeps the last of duplicate keys silently), turned into the
 * neutral tree the validator reads, every line 0. A JSON file is read this
 * way only when it is valid; otherwise the caller reads it again as YAML
 * (JSON is YAML 1.2) to report every problem with its line.
 *
 * @module
 */
import type { RawEntry, RawNode } from "./_raw_tree.ts";
import { MAX_DEPTH } from "./_yaml_tree.ts";

/**
 * Read `text` as a JSON object without duplicate keys.
 *
 * @returns The object, or `undefined` when the text is not such JSON.
 */
export function parseJsonObject(
  text: string,
): Record<string, unknown> | undefined {
  const start = text.search(/\S/);
  if (start === -1 || text[start] !== "{") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (countMembers(value) !== countColons(text)) return undefined;
  return value as Record<string, unknown>;
}

/**
 * A value as `JSON.parse` gives it, as a tree with line 0.
 *
 * @returns The tree, or `undefined` when it nests deeper than
 * {@linkcode MAX_DEPTH}.
 */
export function plainToRaw(value: unknown, depth = 0): RawNode | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: RawNode[] = [];
    for (const item of value) {
      const node = plainToRaw(item, depth + 1);
      if (node === undefined) return undefined;
      items.push(node);
    }
    return { kind: "seq", line: 0, items };
  }
  if (typeof value === "object" && value !== null) {
    const entries: RawEntry[] = [];
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const node = plainToRaw(
        (value as Record<string, unknown>)[key],
        depth + 1,
      );
      if (node === undefined) return undefined;
      entries.push({ key, line: 0, value: node });
    }
    return { kind: "map", line: 0, entries };
  }
  return { kind: "scalar", line: 0, value };
}

/** Object members in a parsed value; `NaN` past {@linkcode MAX_DEPTH}. */
function countMembers(value: unknown, depth = 0): number {
  if (typeof value !== "object" || value === null) return 0;
  if (depth > MAX_DEPTH) return NaN;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item, depth + 1);
    return count;
  }
  for (const key in value) {
    const inner = (value as Record<string, unknown>)[key];
    count += 1 + countMembers(inner, depth + 1);
  }
  return count;
}

/** Object members in JSON text: colons outside strings. */
function countColons(text: string): number {
  let count = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
    } else if (c === 58 /* : */) {
      count++;
    }
    i++;
  }
  return count;
}
