/**
 * Go's `net/url.URL` as JSON, the form `Netboot.IPXEScriptURL` takes on the
 * wire, converted to and from a URL string.
 *
 * Go marshals `url.User` (a `*Userinfo` with unexported fields) as `{}`, so
 * user information cannot travel in this form: {@linkcode toGoUrl} writes
 * `User: null` and drops it.
 *
 * @module
 */

/** Go's `url.URL` marshalled by `encoding/json`. */
export interface GoUrl {
  /** `https` */
  Scheme: string;
  /** Opaque data of a non-hierarchical URL (`mailto:x`), else `""`. */
  Opaque: string;
  /** Always `null` when written by us; Go writes `{}` when set. */
  User: null | Record<string, unknown>;
  /** Host and optional port. */
  Host: string;
  /** The decoded path. */
  Path: string;
  /** The encoded path when it differs from the default encoding, else `""`. */
  RawPath: string;
  /** Whether a `?` ends the URL with an empty query. */
  ForceQuery: boolean;
  /** The encoded query without `?`. */
  RawQuery: string;
  /** The decoded fragment without `#`. */
  Fragment: string;
  /** The encoded fragment when it differs from the default encoding. */
  RawFragment: string;
}

const URL_PARTS =
  /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/;

function escapePart(text: string): string {
  if (PLAIN.test(text)) return text;
  return encodeURI(text).replaceAll("?", "%3F").replaceAll("#", "%23");
}

function unescapePart(text: string, what: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new TypeError(
      `Cannot convert URL ${
        JSON.stringify(url)
      }: bad percent-encoding in ${what}`,
      { cause },
    );
  }
}

/**
 * Convert an absolute URL string to Go's `url.URL` JSON object.
 *
 * @param url For example `https://boot.netboot.xyz/`.
 * @throws {TypeError} When `url` is not an absolute URL.
 * @example
 * ```ts
 * import { toGoUrl } from "./go_url.ts";
 * const u = toGoUrl("http://10.0.0.1:8080/auto.ipxe?mac=x");
 * if (u.Host !== "10.0.0.1:8080" || u.RawQuery !== "mac=x") throw new Error();
 * ```
 */
export function toGoUrl(url: string): GoUrl {
  const m = URL_PARTS.exec(url);
  if (m === null || !URL.canParse(url)) {
    throw new TypeError(
      `Cannot convert URL ${JSON.stringify(url)}: not an absolute URL`,
    );
  }
  const [, scheme, authority, rawPath, query, hash] = m;
  const host = authority === undefined
    ? ""
    : authority.slice(authority.lastIndexOf("@") + 1);
  const opaque = authority === undefined && !rawPath.startsWith("/")
    ? rawPath
    : "";
  const path = opaque ? "" : unescapePart(rawPath, "the path", url);
  const rawFragment = hash === undefined ? "" : hash.slice(1);
  const fragment = unescapePart(rawFragment, "the fragment", url);
  return {
    Scheme: scheme,
    Opaque: opaque,
    User: null,
    Host: host,
    Path: path,
    RawPath: opaque || escapePart(path) === rawPath ? "" : rawPath,
    ForceQuery: query === "?",
    RawQuery: query === undefined ? "" : query.slice(1),
    Fragment: fragment,
    RawFragment: escapePart(fragment) === rawFragment ? "" : rawFragment,
  };
}

function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key in object) {
    if (key.toLowerCase() === lower) return object[key];
  }
  return undefined;
}

function text(object: Record<string, unknown>, name: string): string {
  const value = field(object, name);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new TypeError(`${name} is ${typeof value}, want a string`);
  }
  return value;
}

/** Characters Go's path and fragment escaping leaves alone. */
const PLAIN = /^[A-Za-z0-9\-._~\/!$&'()*+,;=:@]*$/;

function userInfo(user: unknown): string {
  if (typeof user !== "object" || user === null || Array.isArray(user)) {
    return "";
  }
  const u = user as Record<string, unknown>;
  const name = field(u, "Username");
  if (typeof name !== "string" || name === "") return "";
  const password = field(u, "Password");
  const secret = typeof password === "string" && password !== ""
    ? `:${encodeURIComponent(password)}`
    : "";
  return `${encodeURIComponent(name)}${secret}@`;
}

/**
 * Rebuild the URL string from Go's `url.URL` JSON object (keys in any case),
 * the way Go's `URL.String()` does.
 *
 * @param object The decoded JSON object.
 * @returns The URL, or `undefined` when every field is empty.
 * @throws {TypeError} When a field has the wrong type.
 * @example
 * ```ts
 * import { fromGoUrl } from "./go_url.ts";
 * const url = fromGoUrl({ Scheme: "https", Host: "boot.netboot.xyz", Path: "/" });
 * if (url !== "https://boot.netboot.xyz/") throw new Error();
 * ```
 */
export function fromGoUrl(object: Record<string, unknown>): string | undefined {
  const scheme = text(object, "Scheme");
  const opaque = text(object, "Opaque");
  const host = text(object, "Host");
  const path = text(object, "Path");
  const rawPath = text(object, "RawPath");
  const rawQuery = text(object, "RawQuery");
  const fragment = text(object, "Fragment");
  const rawFragment = text(object, "RawFragment");
  const forceQuery = field(object, "ForceQuery") === true;
  const user = userInfo(field(object, "User"));

  let out = scheme ? `${scheme}:` : "";
  if (opaque) {
    out += opaque;
  } else {
    if (scheme || host || user) {
      if (host || path || user) out += "//";
      out += user + host;
    }
    let escaped = escapePart(path);
    if (rawPath) {
      try {
        if (decodeURIComponent(rawPath) === path) escaped = rawPath;
      } catch { /* invalid RawPath: Go falls back to escaping Path */ }
    }
    if (escaped && !escaped.startsWith("/") && host) out += "/";
    out += escaped;
  }
  if (forceQuery || rawQuery) out += `?${rawQuery}`;
  if (fragment) {
    let escaped = escapePart(fragment);
    if (rawFragment) {
      try {
        if (decodeURIComponent(rawFragment) === fragment) escaped = rawFragment;
      } catch { /* invalid RawFragment: escape Fragment */ }
    }
    out += `#${escaped}`;
  }
  return out === "" ? undefined : out;
}
