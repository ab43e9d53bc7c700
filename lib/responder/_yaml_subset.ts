/**
 * A fast reader for the plain subset of YAML that reservation files use:
 * block mappings and sequences indented with spaces, plain and quoted
 * scalars, and one-line flow collections. It is about thirty times faster
 * than a full YAML parser on a 100,000-host file. Anything outside the
 * subset (anchors, tags, block scalars, multi-line scalars, escapes, tabs,
 * several documents, syntax errors) makes it give up, and the caller falls
 * back to the full parser, which also reports syntax errors properly.
 *
 * @module
 */
import type { RawEntry, RawNode } from "./_raw_tree.ts";

/** Thrown inside the reader when the input leaves the subset. */
const GIVE_UP = Symbol("give up");

interface Line {
  indent: number;
  text: string;
  no: number;
}

function giveUp(): never {
  throw GIVE_UP;
}

/**
 * Read `text` if it stays inside the subset.
 *
 * @param text The document.
 * @param onRootEntry When given, each entry of the top-level mapping is
 * passed here as soon as it is read, instead of being kept in the tree, so
 * that a large file's tree never lives in memory all at once. When the
 * reader gives up part-way, the entries already passed must be discarded.
 * @param lineOffset Lines before `text` (when it is a slice of a file).
 * @returns `{ root }` (root `undefined` for an empty document), or
 * `undefined` when the text needs the full parser.
 */
export function parseYamlSubset(
  text: string,
  onRootEntry?: (entry: RawEntry) => void,
  lineOffset = 0,
): { root: RawNode | undefined } | undefined {
  try {
    const reader = new SubsetReader(text, onRootEntry, lineOffset);
    const first = reader.peek();
    if (first === undefined) return { root: undefined };
    const root = reader.node(first.indent, true);
    if (reader.peek() !== undefined) giveUp();
    return { root };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function stripComment(content: string): string {
  if (content.includes("'") || content.includes('"')) giveUp();
  const at = content.search(/[ \t]#/);
  return at === -1 ? content : content.slice(0, at);
}

function isSeqItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

class SubsetReader {
  #at = 0;
  #no = 0;
  #seenContent = false;
  /** The current line; `null` when it must be read. */
  #current: Line | undefined | null = null;

  constructor(
    private readonly text: string,
    private readonly onRootEntry?: (entry: RawEntry) => void,
    lineOffset = 0,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.#at = 1;
    this.#no = lineOffset;
  }

  /** The current content line, `undefined` at the end. */
  peek(): Line | undefined {
    if (this.#current === null) this.#current = this.#read();
    return this.#current;
  }

  /** Move past the current line. */
  advance(): void {
    this.#current = null;
  }

  /** Replace the current line (the rest of a `- key: value` item). */
  replace(line: Line): void {
    this.#current = line;
  }

  #read(): Line | undefined {
    const text = this.text;
    while (this.#at <= text.length) {
      let end = text.indexOf("\n", this.#at);
      if (end === -1) end = text.length;
      const start = this.#at;
      this.#at = end + 1;
      this.#no++;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      let indent = 0;
      while (text.charCodeAt(start + indent) === 32) indent++;
      if (start + indent >= end) continue;
      const c = text.charCodeAt(start + indent);
      if (c === 35 /* # */) continue;
      let content = text.slice(start + indent, end);
      if (c === 9 /* tab */) {
        const trimmed = content.trim();
        if (trimmed === "" || trimmed[0] === "#") continue;
        giveUp();
      }
      if (content.includes("#")) content = stripComment(content);
      content = content.trimEnd();
      if (content === "") continue;
      if (indent === 0 && (content.startsWith("---") || content === "...")) {
        if (this.#seenContent || content !== "---") giveUp();
        this.#seenContent = true;
        continue;
      }
      if (content[0] === "%" || content.includes("\t")) giveUp();
      this.#seenContent = true;
      return { indent, text: content, no: this.#no };
    }
    return undefined;
  }

  node(indent: number, root = false): RawNode {
    return isSeqItem(this.peek()!.text)
      ? this.seq(indent)
      : this.map(indent, root);
  }

  seq(indent: number): RawNode {
    const items: RawNode[] = [];
    const first = this.peek()!.no;
    let line: Line | undefined;
    while (
      (line = this.peek()) !== undefined && line.indent === indent &&
      isSeqItem(line.text)
    ) {
      if (line.text === "-") {
        this.advance();
        items.push(this.nested(indent, line.no));
        continue;
      }
      let k = 2;
      while (line.text[k] === " ") k++;
      const rest = line.text.slice(k);
      if (isSeqItem(rest) || keyEnd(rest) !== -1) {
        this.replace({ indent: indent + k, text: rest, no: line.no });
        items.push(this.node(indent + k));
      } else {
        this.advance();
        items.push(inlineValue(rest, line.no));
        this.noDeeper(indent);
      }
    }
    this.noDeeper(indent);
    return { kind: "seq", line: first, items };
  }

  map(indent: number, root = false): RawNode {
    const entries: RawEntry[] = [];
    const first = this.peek()!.no;
    const emit = root ? this.onRootEntry : undefined;
    let line: Line | undefined;
    while ((line = this.peek()) !== undefined && line.indent === indent) {
      if (isSeqItem(line.text)) break;
      const { key, rest } = splitKey(line.text);
      this.advance();
      let value: RawNode;
      if (rest === "") {
        const next = this.peek();
        if (next && next.indent === indent && isSeqItem(next.text)) {
          value = this.seq(indent);
        } else {
          value = this.nested(indent, line.no);
        }
      } else {
        value = inlineValue(rest, line.no);
        this.noDeeper(indent);
      }
      const entry = { key, line: line.no, value };
      if (emit) emit(entry);
      else entries.push(entry);
    }
    this.noDeeper(indent);
    return { kind: "map", line: first, entries };
  }

  /** The block under a key or `-` with nothing after it, or null. */
  nested(indent: number, no: number): RawNode {
    const next = this.peek();
    if (next && next.indent > indent) return this.node(next.indent);
    return { kind: "scalar", line: no, value: null };
  }

  noDeeper(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) giveUp();
  }
}

/** Index of the `:` that ends a block mapping key, or -1. */
function keyEnd(text: string): number {
  const c = text[0];
  if (c === "[" || c === "{") return -1;
  if (c === "'" || c === '"') {
    const close = quotedEnd(text, 0);
    let i = close + 1;
    while (text[i] === " ") i++;
    return text[i] === ":" && (i + 1 === text.length || text[i + 1] === " ")
      ? i
      : -1;
  }
  const spaced = text.indexOf(": ");
  if (spaced !== -1) return spaced;
  return text.endsWith(":") ? text.length - 1 : -1;
}

function splitKey(text: string): { key: string; rest: string } {
  const end = keyEnd(text);
  if (end === -1 || "?[]{}&*!|>%@`,".includes(text[0])) giveUp();
  const raw = text.slice(0, end).trimEnd();
  const key = raw[0] === "'" || raw[0] === '"' ? unquote(raw) : raw;
  if (key === "") giveUp();
  return { key, rest: text.slice(end + 1).trim() };
}

/** Index of the closing quote of the quoted scalar starting at `start`. */
function quotedEnd(text: string, start: number): number {
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

function unquote(raw: string): string {
  const inner = raw.slice(1, -1);
  return raw[0] === "'" ? inner.replaceAll("''", "'") : inner;
}

function inlineValue(rest: string, no: number): RawNode {
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

/** Where one slice of the top-level mapping starts. */
export interface RootChunk {
  /** Offset of its first line in the text. */
  start: number;
  /** Lines before it. */
  lineOffset: number;
}

/**
 * Cut a document whose root is a block mapping into slices of about
 * `entriesPerChunk` top-level entries each, at lines that start in column 0,
 * so that each slice can be read on its own.
 *
 * @returns The slices, or `undefined` when the document has a construct that
 * makes such a cut unsafe (several documents, a root sequence, directives).
 */
export function rootChunks(
  text: string,
  entriesPerChunk: number,
): RootChunk[] | undefined {
  const chunks: RootChunk[] = [{ start: 0, lineOffset: 0 }];
  let at = 0;
  let line = 0;
  let entries = 0;
  let seenContent = false;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    const isContent = c !== 32 && c !== 9 && c !== 35 && c !== 10 && c !== 13;
    if (isContent && !(at === 0 && c === 0xfeff)) {
      if (text.startsWith("---", at) || text.startsWith("...", at)) {
        if (seenContent) return undefined;
      } else if (c === 45 /* - */ || c === 37 /* % */) {
        return undefined;
      } else {
        if (entries > 0 && entries % entriesPerChunk === 0) {
          chunks.push({ start: at, lineOffset: line });
        }
        entries++;
      }
      seenContent = true;
    }
    const end = text.indexOf("\n", at);
    if (end === -1) break;
    at = end + 1;
    line++;
  }
  return chunks;
}
