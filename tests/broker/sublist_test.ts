import assert from "node:assert/strict";
import {
  hasWildcardToken,
  isValidPublishSubject,
  isValidQueueName,
  isValidSubject,
  subjectMatches,
} from "../../lib/broker/subject.ts";
import { Sublist } from "../../lib/broker/sublist.ts";

interface Entry {
  subject: string;
  queue: string | undefined;
  id: string;
}

const e = (subject: string, id: string, queue?: string): Entry => ({
  subject,
  queue,
  id,
});
const ids = (list: readonly Entry[]) => list.map((x) => x.id).sort();

Deno.test("isValidSubject() accepts tokens and whole-token wildcards only", () => {
  for (
    const s of [
      "a",
      "a.b",
      "a.*",
      "*",
      ">",
      "a.>",
      "a.*.c",
      "a.b*",
      ">x",
      "\u00e4.b",
    ]
  ) {
    assert.ok(isValidSubject(s), s);
  }
  for (
    const s of [
      "",
      ".",
      "a.",
      ".a",
      "a..b",
      "a.>.b",
      ">.a",
      "a b",
      "a\tb",
      "a\r",
    ]
  ) {
    assert.ok(!isValidSubject(s), JSON.stringify(s));
  }
});

Deno.test("isValidPublishSubject() refuses wildcard tokens", () => {
  assert.ok(isValidPublishSubject("a.b"));
  assert.ok(isValidPublishSubject("a.b*"));
  assert.ok(!isValidPublishSubject("a.*"));
  assert.ok(!isValidPublishSubject("a.>"));
  assert.ok(!isValidPublishSubject("a..b"));
  assert.ok(hasWildcardToken("*"));
  assert.ok(!hasWildcardToken("a*.b>"));
});

Deno.test("isValidQueueName() accepts what nats-server accepts", () => {
  assert.ok(isValidQueueName("workers"));
  assert.ok(isValidQueueName("q.*"));
  assert.ok(!isValidQueueName(""));
  assert.ok(!isValidQueueName("a b"));
});

Deno.test("subjectMatches() follows the wildcard rules", () => {
  assert.ok(subjectMatches("a.*", "a.b"));
  assert.ok(!subjectMatches("a.*", "a.b.c"));
  assert.ok(subjectMatches("a.>", "a.b.c"));
  assert.ok(!subjectMatches("a.>", "a"));
  assert.ok(subjectMatches(">", "a"));
  assert.ok(!subjectMatches("a.b", "a.c"));
  assert.ok(!subjectMatches("a.*", "a."));
});

Deno.test("Sublist matches literals, * and > like subjectMatches()", () => {
  const list = new Sublist<Entry>();
  const patterns = [
    "a",
    "a.b",
    "a.*",
    "a.>",
    "*.b",
    ">",
    "*.*.c",
    "a.b.c",
    "x.>",
  ];
  patterns.forEach((p, i) => list.insert(e(p, `${i}:${p}`)));
  for (
    const subject of [
      "a",
      "a.b",
      "a.c",
      "a.b.c",
      "b.b",
      "x.y.c",
      "x",
      "q.r.s.t",
    ]
  ) {
    const want = patterns.map((p, i) => ({ p, i })).filter(({ p }) =>
      subjectMatches(p, subject)
    )
      .map(({ p, i }) => `${i}:${p}`).sort();
    assert.deepEqual(ids(list.match(subject).plain), want, subject);
  }
  assert.deepEqual(list.match("a..b").plain, []);
});

Deno.test("Sublist groups queue subscribers by queue name", () => {
  const list = new Sublist<Entry>();
  list.insert(e("job.*", "q1", "workers"));
  list.insert(e("job.run", "q2", "workers"));
  list.insert(e("job.>", "o1", "others"));
  list.insert(e("job.run", "p1"));
  const r = list.match("job.run");
  assert.deepEqual(ids(r.plain), ["p1"]);
  assert.deepEqual(r.queues.map(ids).sort(), [["o1"], ["q1", "q2"]]);
});

Deno.test("Sublist removal prunes and keeps the cache correct", () => {
  const list = new Sublist<Entry>({ cacheSize: 4 });
  const star = e("a.*", "star");
  const lit = e("a.b", "lit");
  list.insert(star);
  assert.deepEqual(ids(list.match("a.b").plain), ["star"]); // now cached
  list.insert(lit);
  assert.deepEqual(ids(list.match("a.b").plain), ["lit", "star"]);
  assert.ok(list.remove(star));
  assert.deepEqual(ids(list.match("a.b").plain), ["lit"]);
  assert.ok(!list.remove(star), "second remove finds nothing");
  assert.ok(list.remove(lit));
  assert.equal(list.size, 0);
  assert.deepEqual(list.match("a.b").plain, []);
  // Fill past the cache size: results stay right.
  list.insert(e(">", "all"));
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(ids(list.match(`s.${i}`).plain), ["all"]);
  }
});

Deno.test("Sublist handles many subscriptions", () => {
  const list = new Sublist<Entry>();
  const entries: Entry[] = [];
  for (let i = 0; i < 10_000; i++) {
    const x = e(`dev.${i % 100}.mac.${i}`, String(i));
    entries.push(x);
    list.insert(x);
  }
  list.insert(e("dev.*.mac.>", "watcher"));
  assert.deepEqual(ids(list.match("dev.7.mac.507").plain), ["507", "watcher"]);
  for (const x of entries) list.remove(x);
  assert.equal(list.size, 1);
  assert.deepEqual(ids(list.match("dev.7.mac.507").plain), ["watcher"]);
});
