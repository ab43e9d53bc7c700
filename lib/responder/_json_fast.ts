/**
 * A fast path for JSON reservations files: `JSON.parse`, then the same
 * neutral tree as the YAML readers. JSON.parse keeps the last of duplicate
 * keys silently and knows no lines, so the caller uses this result only
 * when the file has no duplicate keys (checked by counting members) and
 * validates cleanly; otherwise it re-reads the file with the full parser to
 * report every problem with its line.
 *
 * @module
 */
import type { RawEntry, RawNode } from "./_raw_tree.ts";

/**
 * Read `text` as JSON when it is a JSON object without duplicate keys.
 *
 * @returns The tree (every line 0), or `undefined` when the text is not
 * such JSON.
 */
export function parseJsonFast(text: string): RawNode | undefined {
  const start = text.search(/\S/);
  if (start === -1 || text[start] !== "{") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  let members = 0;
  const convert = (v: unknown): RawNode => {
    if (Array.isArray(v)) {
      return { kind: "seq", line: 0, items: v.map(convert) };
    }
    if (typeof v === "object" && v !== null) {
      const entries: RawEntry[] = [];
      for (const [key, inner] of Object.entries(v)) {
        members++;
        entries.push({ key, line: 0, value: convert(inner) });
      }
      return { kind: "map", line: 0, entries };
    }
    return { kind: "scalar", line: 0, value: v };
  };
  const root = convert(value);
  return members === countMembers(text) ? root : undefined;
}

/** Object members in JSON text: colons outside strings. */
function countMembers(text: string): number {
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
