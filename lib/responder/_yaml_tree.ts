/**
 * The reservations file read with the `yaml` package (YAML 1.2, so JSON
 * too), turned host by host into the neutral tree the validator reads.
 * Aliases are resolved here with explicit limits (a budget of expanded
 * nodes, cycle detection, undefined anchors), and merge keys (`<<: *base`)
 * are applied as YAML 1.1 and Go's YAML readers do: keys written in the
 * mapping win over merged ones, earlier merge sources over later ones.
 *
 * Duplicate keys are not checked by the parser (`uniqueKeys: false`: its
 * check is quadratic, 314 s on a 100,000-host file); the validator checks
 * them in one pass and knows their lines.
 *
 * @module
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from "yaml";
import type { RawEntry, RawNode } from "./_raw_tree.ts";
import type { ReservationIssue } from "./_host_fields.ts";

/** Deepest nesting of mappings and lists accepted. */
export const MAX_DEPTH = 32;
/**
 * Nodes that aliases may add, per byte of the file, on top of
 * {@linkcode ALIAS_NODES_BASE}: a file cannot grow by aliases to more
 * nodes than it has bytes. Seven levels of nine aliases (a 498-byte file)
 * would otherwise expand to 4.8 million nodes.
 */
export const ALIAS_NODES_PER_BYTE = 1;
/** Nodes that aliases may add in any file. */
export const ALIAS_NODES_BASE = 10_000;

/** Stops the whole read: a resource limit was reached. */
class LimitReached extends Error {}

/** A parsed document whose root entries are read one at a time. */
export interface YamlRoot {
  /**
   * The root's line and kind (a mapping, another kind, or empty), and its
   * number of entries or items.
   */
  root: {
    kind: "map" | "seq" | "scalar" | "empty";
    line: number;
    size: number;
    /** Whether the root is a block mapping whose keys start in column 0. */
    blockAtColumn0: boolean;
  };
  /**
   * Convert each root entry (key resolved, merge keys applied) and pass it
   * to `onEntry`. Problems found while converting go to `issues`, with the
   * entry's key as `mac`.
   * @returns `false` when a resource limit stopped the read (its issue is
   * the last one).
   */
  forEachEntry(
    issues: ReservationIssue[],
    onEntry: (entry: RawEntry, issuesBefore: number) => void,
  ): boolean;
}

/**
 * Parse `text` (a file, or a piece of one after `lineOffset` lines).
 * Syntax errors are returned with their lines; nothing is converted until
 * {@linkcode YamlRoot.forEachEntry}.
 */
export function parseYaml(
  text: string,
  lineOffset = 0,
): { ok: true; doc: YamlRoot } | { ok: false; issues: ReservationIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        line: lineOffset + lines.linePos(e.pos[0]).line,
        message: e.message.split("\n")[0].replace(/\.$/, ""),
      })),
    };
  }
  const reader = new TreeReader(
    doc,
    lines,
    lineOffset,
    ALIAS_NODES_BASE + ALIAS_NODES_PER_BYTE * text.length,
  );
  return { ok: true, doc: reader };
}

class TreeReader implements YamlRoot {
  readonly root: YamlRoot["root"];
  #issues: ReservationIssue[] = [];
  #mac: string | undefined;
  /** Nodes aliases may still add. */
  #budget: number;
  /** The budget at the start, for the message. */
  readonly #aliasNodes: number;
  /** Alias targets being expanded, to find cycles. */
  readonly #expanding = new Set<Node>();
  /** Line of the outermost alias (or merge) being expanded. */
  #aliasLine = 0;

  constructor(
    readonly doc: Document,
    readonly lines: LineCounter,
    readonly lineOffset: number,
    budget: number,
  ) {
    this.#budget = this.#aliasNodes = budget;
    const c = doc.contents as Node | null;
    const line = this.#line(c, lineOffset + 1);
    const target = isAlias(c) ? c.resolve(doc) : c;
    const kind = target === null || target === undefined ||
        (isScalar(target) && target.value === null)
      ? "empty"
      : isMap(target)
      ? "map"
      : isSeq(target)
      ? "seq"
      : "scalar";
    const size = isMap(target) || isSeq(target) ? target.items.length : 0;
    const blockAtColumn0 = isMap(target) && !target.flow &&
      target.range !== undefined && target.range !== null &&
      this.lines.linePos(target.range[0]).col === 1;
    this.root = { kind, line, size, blockAtColumn0 };
  }

  forEachEntry(
    issues: ReservationIssue[],
    onEntry: (entry: RawEntry, issuesBefore: number) => void,
  ): boolean {
    this.#issues = issues;
    let root = this.doc.contents as Node | null;
    if (isAlias(root)) root = root.resolve(this.doc) ?? null;
    if (!isMap(root)) return true;
    try {
      this.#entries(root, this.root.line, 0, (entry, before) => {
        this.#mac = undefined;
        onEntry(entry, before);
      }, (key) => this.#mac = key);
    } catch (err) {
      if (err instanceof LimitReached) return false;
      throw err;
    }
    return true;
  }

  #line(node: Node | null | undefined, fallback: number): number {
    if (!node?.range) return fallback;
    return this.lineOffset + this.lines.linePos(node.range[0]).line;
  }

  #fail(line: number, message: string): undefined {
    this.#issues.push({ line, mac: this.#mac, message });
    return undefined;
  }

  /** An alias's target, or `undefined` (issue recorded) when unset. */
  #resolve(node: Node, line: number): Node | undefined {
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc);
    if (target === undefined) {
      return this.#fail(
        line,
        `undefined alias *${node.source} (its anchor &${node.source} must be set before it)`,
      );
    }
    return target;
  }

  /**
   * The entries of a mapping, merge keys applied, each passed to `emit`
   * with the issue count before its conversion. `onKey` sees each key
   * before its value is converted.
   */
  #entries(
    map: YAMLMap,
    line: number,
    depth: number,
    emit: (entry: RawEntry, issuesBefore: number) => void,
    onKey?: (key: string) => void,
  ): void {
    let written: Set<string> | undefined;
    let merged: Set<string> | undefined;
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      const keyLine = this.#line(keyNode, line);
      if (isScalar(keyNode) && typeof keyNode.value === "symbol") {
        written ??= this.#writtenKeys(map);
        merged ??= new Set();
        this.#merge(pair.value as Node | null, keyLine, depth, written, merged)
          .forEach((entry) => emit(entry, this.#issues.length));
        continue;
      }
      const before = this.#issues.length;
      const key = this.#key(keyNode, keyLine);
      if (key === undefined) continue;
      onKey?.(key);
      const value = this.#node(pair.value as Node | null, keyLine, depth + 1);
      if (value !== undefined) emit({ key, line: keyLine, value }, before);
    }
  }

  /** Keys written in the mapping itself, which merged keys do not override. */
  #writtenKeys(map: YAMLMap): Set<string> {
    const keys = new Set<string>();
    for (const pair of map.items) {
      const k = pair.key;
      if (isScalar(k) && typeof k.value !== "symbol") {
        keys.add(scalarKey(k.value, k.source));
      }
    }
    return keys;
  }

  /** The entries a merge key `<<` adds. */
  #merge(
    value: Node | null,
    line: number,
    depth: number,
    written: Set<string>,
    merged: Set<string>,
  ): RawEntry[] {
    const out: RawEntry[] = [];
    const sources = isSeq(value) ? value.items as Node[] : [value];
    for (const source of sources) {
      const at = this.#line(source, line);
      const map = source && this.#resolve(source, at);
      if (map === undefined) continue;
      if (!isMap(map)) {
        this.#fail(
          at,
          "a merge key (<<) takes a mapping, an alias of one, or a list of them",
        );
        continue;
      }
      this.#enter(map, at, () =>
        this.#entries(map, at, depth, (entry) => {
          if (written.has(entry.key) || merged.has(entry.key)) return;
          merged.add(entry.key);
          out.push(entry);
        }));
    }
    return out;
  }

  /** Run `body` expanding alias target `node`, refusing cycles. */
  #enter(node: Node, line: number, body: () => void): void {
    if (this.#expanding.has(node)) {
      this.#fail(line, "cyclic alias (an alias inside the node it names)");
      return;
    }
    if (this.#expanding.size === 0) this.#aliasLine = line;
    this.#expanding.add(node);
    try {
      body();
    } finally {
      this.#expanding.delete(node);
    }
  }

  /** A key's text; `undefined` (issue recorded) when it is not a scalar. */
  #key(node: Node | null, line: number): string | undefined {
    const key = node && this.#resolve(node, line);
    if (key === undefined) return undefined;
    if (key === null) return "";
    if (isScalar(key)) return scalarKey(key.value, key.source);
    return this.#fail(
      line,
      `a key must be a text, got ${isMap(key) ? "a mapping" : "a list"}`,
    );
  }

  /** Convert one value; `undefined` (issue recorded) when it cannot be. */
  #node(node: Node | null, line: number, depth: number): RawNode | undefined {
    if (node === null || node === undefined) {
      return { kind: "scalar", line, value: null };
    }
    const at = this.#line(node, line);
    if (depth > MAX_DEPTH) {
      return this.#fail(at, `nested deeper than ${MAX_DEPTH} levels`);
    }
    if (isAlias(node)) {
      const target = this.#resolve(node, at);
      if (target === undefined) return undefined;
      let out: RawNode | undefined;
      this.#enter(target, at, () => out = this.#node(target, at, depth));
      return out;
    }
    if (this.#expanding.size > 0 && --this.#budget < 0) {
      this.#fail(
        this.#aliasLine,
        `aliases expand to more than ${this.#aliasNodes} nodes (${ALIAS_NODES_BASE} + ${ALIAS_NODES_PER_BYTE} per byte of the file); refused as a resource exhaustion attack`,
      );
      throw new LimitReached();
    }
    if (isMap(node)) {
      const entries: RawEntry[] = [];
      this.#entries(node, at, depth, (entry) => entries.push(entry));
      return { kind: "map", line: at, entries };
    }
    if (isSeq(node)) {
      const items: RawNode[] = [];
      for (const item of node.items as (Node | null)[]) {
        const value = this.#node(item, at, depth + 1);
        if (value !== undefined) items.push(value);
      }
      return { kind: "seq", line: at, items };
    }
    if (isScalar(node)) {
      const v = node.value;
      return {
        kind: "scalar",
        line: at,
        value: typeof v === "symbol" ? node.source : v,
      };
    }
    return this.#fail(at, "unsupported YAML node");
  }
}

/** A scalar key as text: strings as they are, others as written. */
function scalarKey(value: unknown, source: string | undefined): string {
  if (typeof value === "string") return value;
  return source ?? String(value);
}
