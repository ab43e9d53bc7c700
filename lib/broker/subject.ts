/**
 * NATS subject rules: dot-separated tokens, `*` matches one token, `>`
 * matches one or more trailing tokens. Subjects arrive from the wire as
 * byte strings (one char per byte), so these checks work on any bytes.
 *
 * @module
 */

/**
 * Whether `subject` is a valid subscription subject: non-empty tokens,
 * wildcards only as whole tokens, `>` only as the last token.
 *
 * @param subject the subject as a byte string
 * @returns true when a SUB may use it
 * @example
 * ```ts
 * import { isValidSubject } from "./subject.ts";
 * if (!isValidSubject("a.*.c.>") || isValidSubject("a..b")) throw new Error();
 * ```
 */
export function isValidSubject(subject: string): boolean {
  if (subject.length === 0) return false;
  let tokenStart = 0;
  let sawFwc = false;
  for (let i = 0; i <= subject.length; i++) {
    const c = i < subject.length ? subject.charCodeAt(i) : 0x2e;
    if (c === 0x2e /* . */) {
      const len = i - tokenStart;
      if (len === 0 || sawFwc) return false;
      // A wildcard inside a longer token is a literal character.
      if (len === 1 && subject.charCodeAt(tokenStart) === 0x3e /* > */) {
        sawFwc = true;
      }
      tokenStart = i + 1;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
      return false;
    }
  }
  return true;
}

/**
 * Whether `subject` is a valid publish subject: a valid subject without
 * wildcard tokens.
 *
 * @param subject the subject as a byte string
 * @returns true when a pedantic PUB may use it
 * @example
 * ```ts
 * import { isValidPublishSubject } from "./subject.ts";
 * if (!isValidPublishSubject("a.b") || isValidPublishSubject("a.*")) throw new Error();
 * ```
 */
export function isValidPublishSubject(subject: string): boolean {
  if (!isValidSubject(subject)) return false;
  return !hasWildcardToken(subject);
}

/**
 * Whether any token of `subject` is exactly `*` or `>`.
 *
 * @param subject the subject as a byte string
 * @returns true when the subject has a wildcard token
 */
export function hasWildcardToken(subject: string): boolean {
  let tokenStart = 0;
  for (let i = 0; i <= subject.length; i++) {
    if (i === subject.length || subject.charCodeAt(i) === 0x2e) {
      if (i - tokenStart === 1) {
        const t = subject.charCodeAt(tokenStart);
        if (t === 0x2a || t === 0x3e) return true;
      }
      tokenStart = i + 1;
    }
  }
  return false;
}

/**
 * Whether `queue` is usable as a queue group name. nats-server 2.9 accepts
 * any non-empty token without whitespace (even `*` or `q.>`), and so do we.
 *
 * @param queue the queue name as a byte string
 * @returns true when a SUB may use it
 */
export function isValidQueueName(queue: string): boolean {
  if (queue.length === 0) return false;
  for (let i = 0; i < queue.length; i++) {
    const c = queue.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return false;
  }
  return true;
}

/**
 * Whether `subject` matches the subscription `pattern` (which may hold
 * wildcards). Both must be valid; an empty publish token never matches.
 *
 * @param pattern a subscription subject
 * @param subject a publish subject
 * @returns true when a message on `subject` goes to `pattern`
 * @example
 * ```ts
 * import { subjectMatches } from "./subject.ts";
 * if (!subjectMatches("a.*.>", "a.b.c.d") || subjectMatches("a.*", "a")) throw new Error();
 * ```
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i && s.slice(i).every((t) => t !== "");
    if (i >= s.length || s[i] === "") return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
