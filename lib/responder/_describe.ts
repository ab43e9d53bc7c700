/**
 * How values and keys of a reservations file are shown in messages.
 *
 * @module
 */
import { hexNumber } from "../bytes/hex.ts";
import type { RawNode } from "./_raw_tree.ts";

/** Describe a node's type for a message: "a string", "a list", ... */
export function describe(node: RawNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  const v = node.value;
  if (v === null) return "nothing";
  if (typeof v === "string") return `a string (${quoted(v)})`;
  if (typeof v === "boolean") return `a boolean (${v})`;
  if (typeof v === "number") return `a number (${v})`;
  return typeof v;
}

/**
 * A key for a message: as written when it is plain printable ASCII,
 * otherwise quoted with invisible and non-ASCII characters escaped, so
 * that `host\u00a0name` does not read as `hostname`.
 */
export function shown(key: string): string {
  return /^[\x21-\x7e]+$/.test(key) ? key : quoted(key);
}

/** `"text"`, with characters outside printable ASCII as `\uXXXX`. */
export function quoted(text: string): string {
  return '"' +
    text.replace(
      /[^\x20-\x7e]|["\\]/g,
      (c) =>
        c === '"' || c === "\\"
          ? "\\" + c
          : "\\u" + hexNumber(c.charCodeAt(0), 4),
    ) +
    '"';
}
