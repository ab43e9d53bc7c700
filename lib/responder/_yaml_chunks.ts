/**
 * A large YAML file cut into pieces of whole root entries, each parsed on
 * its own by the `yaml` package, so that the parser's tree for a 23 MiB
 * file never lives in memory all at once. The 100,000-host bench file
 * took the process to a peak RSS of 1.8 GB parsed whole (and it stayed
 * there), 1.2 GB in pieces of 4 MiB, 0.6 GB of 1 MiB, 0.46 GB of 256 KiB.
 *
 * A piece starts at a line that begins in column 0 with a key (not a
 * space, comment, list item, `?`/`:` of a complex key or flow closer).
 * Files whose meaning could cross a cut are not cut: anchors and aliases
 * (`&a`, `*a`), several documents or directives. The caller parses the
 * whole file instead when any piece has a syntax error or is not a block
 * mapping with its keys in column 0, so a cut changes nothing: a line in
 * column 0 inside such a mapping either starts an entry or is an error.
 * (Tested: 40,000 randomly edited files read the same in pieces of 1-60
 * characters as whole.)
 *
 * @module
 */

/** Text per piece, in characters. */
export const CHUNK_CHARS = 1 << 18;

/** One piece of the file. */
export interface Chunk {
  /** Whole root entries (the first piece may start with comments, `---`). */
  text: string;
  /** Lines before the piece. */
  lineOffset: number;
}

/** An anchor or alias: `&` or `*` after a space, a line start or `[{,`. */
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,])[&*][^\s,[\]{}]/m;
/** A document marker or directive at a line start. */
const MARKER = /^(?:---|\.\.\.|%)/gm;
/** A character a root entry's line may start with. */
const ENTRY_START = /[^\s#\-?:\]},|>]/;

/**
 * The pieces of `text`, or `undefined` when it must be parsed whole
 * (small, or with anchors, aliases, markers after the first line or
 * directives).
 */
export function rootChunks(
  text: string,
  size = CHUNK_CHARS,
): Chunk[] | undefined {
  if (text.length <= size || ANCHOR_OR_ALIAS.test(text)) return undefined;
  for (const m of text.matchAll(MARKER)) {
    if (m[0] !== "---" || text.slice(0, m.index).trim() !== "") {
      return undefined;
    }
  }
  const chunks: Chunk[] = [];
  let start = 0;
  let lineOffset = 0;
  while (start < text.length) {
    let end = text.length;
    for (let at = start + size; at < text.length;) {
      const nl = text.indexOf("\n", at);
      if (nl === -1) break;
      if (ENTRY_START.test(text[nl + 1] ?? " ")) {
        end = nl + 1;
        break;
      }
      at = nl + 1;
    }
    chunks.push({ text: text.slice(start, end), lineOffset });
    for (let i = text.indexOf("\n", start); i !== -1 && i < end;) {
      lineOffset++;
      i = text.indexOf("\n", i + 1);
    }
    start = end;
  }
  return chunks;
}
