/**
 * The subscription index: a trie keyed by subject token with `*` and `>`
 * branches, and a small cache of match results per publish subject.
 *
 * @module
 */

import { subjectMatches } from "./subject.ts";

/** What the sublist needs to know about a subscription. */
export interface SublistEntry {
  /** The subscription subject (may hold wildcards). */
  readonly subject: string;
  /** The queue group, or undefined for a plain subscription. */
  readonly queue: string | undefined;
}

/** The subscriptions a publish subject reaches. */
export interface MatchResult<T extends SublistEntry> {
  /** Plain subscriptions: each gets the message. */
  readonly plain: readonly T[];
  /** Queue groups: one member of each gets the message. */
  readonly queues: readonly (readonly T[])[];
}

interface Level<T> {
  literal: Map<string, Node<T>>;
  star: Node<T> | undefined;
  full: Node<T> | undefined;
}

interface Node<T> {
  next: Level<T> | undefined;
  plain: Set<T>;
  queues: Map<string, Set<T>>;
}

function newLevel<T>(): Level<T> {
  return { literal: new Map(), star: undefined, full: undefined };
}

function newNode<T>(): Node<T> {
  return { next: undefined, plain: new Set(), queues: new Map() };
}

const EMPTY = Object.freeze({ plain: [], queues: [] });

/** Options of {@linkcode Sublist}. */
export interface SublistOptions {
  /**
   * How many publish subjects keep a cached match result.
   * @default {1024}
   */
  cacheSize?: number;
}

/**
 * A subject-matching index for many subscriptions.
 *
 * @typeParam T the subscription type
 * @example
 * ```ts
 * import { Sublist } from "./sublist.ts";
 * const list = new Sublist<{ subject: string; queue: string | undefined }>();
 * list.insert({ subject: "a.*", queue: undefined });
 * if (list.match("a.b").plain.length !== 1) throw new Error();
 * ```
 */
export class Sublist<T extends SublistEntry> {
  #root: Level<T> = newLevel();
  #cache = new Map<string, MatchResult<T>>();
  #cacheSize: number;
  #count = 0;

  /** @param options cache size */
  constructor(options: SublistOptions = {}) {
    this.#cacheSize = options.cacheSize ?? 1024;
  }

  /** How many subscriptions are stored. */
  get size(): number {
    return this.#count;
  }

  /**
   * Add a subscription. The subject must be valid (see `isValidSubject`).
   *
   * @param entry the subscription
   */
  insert(entry: T): void {
    const tokens = entry.subject.split(".");
    let level = this.#root;
    let node: Node<T> | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === "*") node = level.star ??= newNode();
      else if (t === ">") node = level.full ??= newNode();
      else {
        node = level.literal.get(t);
        if (!node) level.literal.set(t, node = newNode());
      }
      if (i < tokens.length - 1) level = node.next ??= newLevel();
    }
    if (!node) return;
    if (entry.queue === undefined) node.plain.add(entry);
    else {
      let group = node.queues.get(entry.queue);
      if (!group) node.queues.set(entry.queue, group = new Set());
      group.add(entry);
    }
    this.#count++;
    this.#invalidate(entry.subject);
  }

  /**
   * Remove a subscription; empty trie branches are pruned.
   *
   * @param entry the subscription given to {@linkcode Sublist.insert}
   * @returns whether it was found
   */
  remove(entry: T): boolean {
    const tokens = entry.subject.split(".");
    const path: { level: Level<T>; token: string; node: Node<T> }[] = [];
    let level: Level<T> | undefined = this.#root;
    for (const t of tokens) {
      if (!level) return false;
      const node: Node<T> | undefined = t === "*"
        ? level.star
        : t === ">"
        ? level.full
        : level.literal.get(t);
      if (!node) return false;
      path.push({ level, token: t, node });
      level = node.next;
    }
    const last = path[path.length - 1].node;
    let removed: boolean;
    if (entry.queue === undefined) removed = last.plain.delete(entry);
    else {
      const group = last.queues.get(entry.queue);
      removed = group?.delete(entry) ?? false;
      if (group && group.size === 0) last.queues.delete(entry.queue);
    }
    if (!removed) return false;
    this.#count--;
    for (let i = path.length - 1; i >= 0; i--) {
      const { level, token, node } = path[i];
      if (node.plain.size || node.queues.size || !isEmptyLevel(node.next)) {
        break;
      }
      if (token === "*") level.star = undefined;
      else if (token === ">") level.full = undefined;
      else level.literal.delete(token);
    }
    this.#invalidate(entry.subject);
    return true;
  }

  /**
   * The subscriptions a message on `subject` reaches. A subject with an
   * empty token matches nothing. The result is shared: do not change it.
   *
   * @param subject a publish subject
   * @returns plain subscriptions and queue groups
   */
  match(subject: string): MatchResult<T> {
    const cached = this.#cache.get(subject);
    if (cached) return cached;
    const tokens = subject.split(".");
    for (const t of tokens) if (t === "") return EMPTY as MatchResult<T>;
    const plain: T[] = [];
    const queues = new Map<string, T[]>();
    collect(this.#root, tokens, 0, plain, queues);
    const result: MatchResult<T> = plain.length || queues.size
      ? { plain, queues: [...queues.values()] }
      : EMPTY as MatchResult<T>;
    if (this.#cache.size >= this.#cacheSize) {
      // Drop the oldest entry (Map keeps insertion order).
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(subject, result);
    return result;
  }

  #invalidate(subject: string): void {
    if (this.#cache.size === 0) return;
    if (!subject.includes("*") && !subject.includes(">")) {
      this.#cache.delete(subject);
      return;
    }
    for (const key of this.#cache.keys()) {
      if (subjectMatches(subject, key)) this.#cache.delete(key);
    }
  }
}

function isEmptyLevel<T>(level: Level<T> | undefined): boolean {
  return !level ||
    (level.literal.size === 0 && !level.star && !level.full);
}

function addNode<T>(
  node: Node<T>,
  plain: T[],
  queues: Map<string, T[]>,
): void {
  for (const s of node.plain) plain.push(s);
  for (const [name, group] of node.queues) {
    let list = queues.get(name);
    if (!list) queues.set(name, list = []);
    for (const s of group) list.push(s);
  }
}

function collect<T>(
  level: Level<T>,
  tokens: string[],
  i: number,
  plain: T[],
  queues: Map<string, T[]>,
): void {
  const last = i === tokens.length - 1;
  if (level.full) addNode(level.full, plain, queues);
  const star = level.star;
  if (star) {
    if (last) addNode(star, plain, queues);
    else if (star.next) collect(star.next, tokens, i + 1, plain, queues);
  }
  const lit = level.literal.get(tokens[i]);
  if (lit) {
    if (last) addNode(lit, plain, queues);
    else if (lit.next) collect(lit.next, tokens, i + 1, plain, queues);
  }
}
