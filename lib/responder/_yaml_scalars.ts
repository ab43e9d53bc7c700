/**
 * Scalars and one-line flow collections for the fast YAML subset reader:
 * plain scalars typed by the YAML 1.2 core schema, single- and
 * double-quoted scalars (without escapes), `[...]` and `{...}` on one line.
 *
 * @module
 */
import type { RawEntry, RawNode } from "./_raw_tree.ts";

/** Thrown inside the reader when the input leaves the subset. */
export const GIVE_UP = Symbol("give up");

/** Leave the subset: the caller falls back to the full parser. */
export function giveUp(): never {
  throw GIVE_UP;
}

/** Index of the closing quote of the quoted scalar starting at `start`. */
export function quotedEnd(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (q === '"' && c === "\\") giveUp();
    if (c === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return giveUp();
}

/** The value of a complete quoted scalar (quotes removed). */
export function unquote(raw: string): string {
  const inner = raw.slice(1, -1);
  return raw[0] === "'" ? inner.replaceAll("''", "'") : inner;
}

/** The value after `key:` or `- `: a scalar or a one-line flow collection. */
export function inlineValue(rest: string, no: number): RawNode {
  const c = rest[0];
  if (c === "[" || c === "{") {
    const flow = new FlowReader(rest, no);
    const node = flow.value();
    flow.spaces();
    if (flow.i !== rest.length) giveUp();
    return node;
  }
  if (c === "'" || c === '"') {
    if (quotedEnd(rest, 0) !== rest.length - 1) giveUp();
    return { kind: "scalar", line: no, value: unquote(rest) };
  }
  if ("&*!|>%@`?-".includes(c) && (c !== "-" || rest[1] === " ")) giveUp();
  if (rest.includes(": ") || rest.endsWith(":")) giveUp();
  return { kind: "scalar", line: no, value: resolvePlain(rest) };
}

class FlowReader {
  i = 0;
  constructor(private readonly s: string, private readonly no: number) {}

  spaces(): void {
    while (this.s[this.i] === " ") this.i++;
  }

  value(): RawNode {
    this.spaces();
    const s = this.s;
    const c = s[this.i];
    if (c === "[") {
      this.i++;
      const items: RawNode[] = [];
      this.spaces();
      while (s[this.i] !== "]") {
        items.push(this.value());
        this.spaces();
        if (s[this.i] === ",") this.i++;
        else if (s[this.i] !== "]") giveUp();
        this.spaces();
      }
      this.i++;
      return { kind: "seq", line: this.no, items };
    }
    if (c === "{") {
      this.i++;
      const entries: RawEntry[] = [];
      this.spaces();
      while (s[this.i] !== "}") {
        const keyNode = this.scalar(true);
        if (keyNode.kind !== "scalar" || s[this.i] !== ":") giveUp();
        this.i++;
        const key = String(keyNode.value);
        entries.push({ key, line: this.no, value: this.value() });
        this.spaces();
        if (s[this.i] === ",") this.i++;
        else if (s[this.i] !== "}") giveUp();
        this.spaces();
      }
      this.i++;
      return { kind: "map", line: this.no, entries };
    }
    return this.scalar(false);
  }

  scalar(isKey: boolean): RawNode {
    this.spaces();
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) giveUp();
    if (c === "'" || c === '"') {
      const end = quotedEnd(s, this.i);
      const value = unquote(s.slice(this.i, end + 1));
      this.i = end + 1;
      this.spaces();
      return { kind: "scalar", line: this.no, value };
    }
    if ("[]{}&*!|>%@`?,".includes(c)) giveUp();
    const start = this.i;
    while (this.i < s.length) {
      const d = s[this.i];
      if (d === "," || d === "]" || d === "}" || d === "[" || d === "{") break;
      if (d === ":" && (s[this.i + 1] === " " || s[this.i + 1] === undefined)) {
        if (!isKey) giveUp();
        break;
      }
      this.i++;
    }
    const raw = s.slice(start, this.i).trim();
    if ("[{".includes(s[this.i] ?? "")) giveUp();
    return {
      kind: "scalar",
      line: this.no,
      value: isKey ? raw : resolvePlain(raw),
    };
  }
}

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** Resolve a plain scalar by the YAML 1.2 core schema, as `yaml` does. */
export function resolvePlain(s: string): unknown {
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
  }
  const c = s.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!numeric) return s;
  if (INT.test(s)) return Number(s);
  const dot = s.indexOf(".");
  if (dot !== -1 && s.indexOf(".", dot + 1) !== -1) return s; // 10.0.0.1
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT.test(s)) return parseFloat(s);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) {
    return s[0] === "-" ? -Infinity : Infinity;
  }
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}
