/**
 * Reads `tshark -T json` output, which repeats keys (one
 * "dhcp.option.type" per option): objects become ordered lists of
 * `[key, value]` pairs so no repeated key is lost.
 *
 * @module
 */

/** A JSON value with objects kept as ordered key-value pairs. */
export type TsharkValue =
  | string
  | number
  | boolean
  | null
  | TsharkValue[]
  | TsharkObject;

/** An object as its ordered `[key, value]` pairs. */
export interface TsharkObject {
  entries: [string, TsharkValue][];
}

/** Parses JSON text keeping repeated keys. */
export function parseTsharkJson(text: string): TsharkValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`Cannot parse tshark JSON: ${what} at offset ${pos}`);
  };
  const ws = () => {
    while (pos < text.length && " \t\r\n".includes(text[pos])) pos++;
  };
  const str = (): string => {
    const start = pos;
    pos++; // opening quote
    while (text[pos] !== '"') {
      if (pos >= text.length) fail("unterminated string");
      pos += text[pos] === "\\" ? 2 : 1;
    }
    pos++;
    return JSON.parse(text.slice(start, pos));
  };
  const value = (): TsharkValue => {
    ws();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const entries: [string, TsharkValue][] = [];
      ws();
      if (text[pos] === "}") {
        pos++;
        return { entries };
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail("expected a key");
        const key = str();
        ws();
        if (text[pos++] !== ":") fail("expected ':'");
        entries.push([key, value()]);
        ws();
        if (text[pos] === ",") pos++;
        else if (text[pos++] === "}") return { entries };
        else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const items: TsharkValue[] = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[pos] === ",") pos++;
        else if (text[pos++] === "]") return items;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(
      text.slice(pos, pos + 40),
    );
    if (!match) return fail("unexpected character");
    pos += match[0].length;
    return JSON.parse(match[0]);
  };
  const result = value();
  ws();
  if (pos !== text.length) fail("trailing text");
  return result;
}

/** Whether a value is an object. */
export function isObject(
  value: TsharkValue | undefined,
): value is TsharkObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every value of `key` in an object, in order (arrays from --no-duplicate-keys flattened). */
export function all(object: TsharkObject, key: string): TsharkValue[] {
  const out: TsharkValue[] = [];
  for (const [k, v] of object.entries) {
    if (k !== key) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

/** The single string value of `key`, or undefined. */
export function one(object: TsharkObject, key: string): string | undefined {
  const values = all(object, key);
  return values.length === 0 ? undefined : String(values[0]);
}

/** Finds the first object under `key` anywhere in `root` (depth first). */
export function findLayer(
  root: TsharkValue,
  key: string,
): TsharkObject | undefined {
  if (Array.isArray(root)) {
    for (const item of root) {
      const found = findLayer(item, key);
      if (found) return found;
    }
  } else if (isObject(root)) {
    for (const [k, v] of root.entries) {
      if (k === key && isObject(v)) return v;
      const found = findLayer(v, key);
      if (found) return found;
    }
  }
  return undefined;
}
