/**
 * Small readers shared by the lookup reply decoder: type words for messages,
 * case-insensitive keys, and strings, IPv4 addresses and lists that throw an
 * {@linkcode InvalidReplyError} naming the field.
 *
 * @module
 */
import { isIpv4 } from "../net/ipv4.ts";
import { InvalidReplyError } from "../backend/errors.ts";

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A type word for messages: `missing`, `null`, `an array`, `a string`, ... */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Index an object by lower-cased key; later duplicates win. */
export function lowerKeys(object: JsonObject): Map<string, [string, unknown]> {
  const map = new Map<string, [string, unknown]>();
  for (const key in object) {
    const value = (object as Record<string, unknown>)[key];
    map.set(key.toLowerCase(), [key, value]);
  }
  return map;
}

/** A value that Go skips: absent, null or "". */
export function skipped(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** A field's name for a message; built only when something is wrong. */
export function where(prefix: string, name: string, index: number): string {
  return index < 0 ? `${prefix}${name}` : `${prefix}${name}[${index}]`;
}

/**
 * The value as a string.
 *
 * @throws {InvalidReplyError} When it is not a string.
 */
export function str(
  value: unknown,
  prefix: string,
  name: string,
  index = -1,
): string {
  if (typeof value !== "string") {
    throw new InvalidReplyError(
      where(prefix, name, index),
      `is ${describe(value)}, want a string`,
    );
  }
  return value;
}

/**
 * The value as a dotted-quad IPv4 address.
 *
 * @throws {InvalidReplyError} When it is not one.
 */
export function ip(
  value: unknown,
  prefix: string,
  name: string,
  index = -1,
): string {
  const text = str(value, prefix, name, index);
  if (!isIpv4(text)) {
    throw new InvalidReplyError(
      where(prefix, name, index),
      `${JSON.stringify(text)} is not a dotted-quad IPv4 address`,
    );
  }
  return text;
}

/**
 * The value as a list of strings read by `item`.
 *
 * @throws {InvalidReplyError} When it is not an array or an item is bad.
 */
export function list(
  value: unknown,
  prefix: string,
  name: string,
  item: (v: unknown, prefix: string, name: string, index: number) => string,
): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidReplyError(
      where(prefix, name, -1),
      `is ${describe(value)}, want an array`,
    );
  }
  const out = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    out[i] = item(value[i], prefix, name, i);
  }
  return out;
}
