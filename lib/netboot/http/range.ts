/**
 * The `Range` request header (RFC 9110 section 14.2), single byte ranges
 * only: a request for several ranges is answered whole (200), which the RFC
 * allows. Pure: no I/O.
 *
 * @module
 */

/** A satisfiable byte range, both ends inclusive. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** Last byte. */
  end: number;
}

/**
 * Read a `Range` header against a file size.
 *
 * @param header The header's value, or `null` when absent.
 * @param size The file's size in bytes.
 * @returns The range; `"whole"` to send the whole file (no header, another
 * unit, several ranges, a malformed value); `"unsatisfiable"` for 416.
 * @example
 * ```ts
 * import { parseRange } from "./range.ts";
 * const r = parseRange("bytes=-100", 1000);
 * if (r === "whole" || r === "unsatisfiable" || r.start !== 900) throw new Error();
 * ```
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | "whole" | "unsatisfiable" {
  if (header === null) return "whole";
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return "whole";
  const [, first, last] = m;
  if (first === "" && last === "") return "whole";
  if (first === "") {
    // A suffix: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return "whole";
  if (start >= size) return "unsatisfiable";
  return { start, end };
}
