/**
 * The neutral tree both YAML readers produce for the validator: mappings,
 * sequences and scalars, each with the 1-based line it starts on.
 *
 * @module
 */

/** A key and its value inside a mapping. */
export interface RawEntry {
  /** The key as written (quotes removed). */
  key: string;
  /** Line of the key, 1-based. */
  line: number;
  /** The value. */
  value: RawNode;
}

/** A mapping, a sequence or a scalar read from the file. */
export type RawNode =
  | { kind: "map"; line: number; entries: RawEntry[] }
  | { kind: "seq"; line: number; items: RawNode[] }
  | { kind: "scalar"; line: number; value: unknown };

/** A syntax problem found while reading the file. */
export interface RawSyntaxError {
  /** Line, 1-based. */
  line: number;
  /** What is wrong. */
  message: string;
}

/** The result of reading a file: a tree, or the syntax errors. */
export type RawParseResult =
  | { ok: true; root: RawNode | undefined }
  | { ok: false; errors: RawSyntaxError[] };
