import assert from "node:assert/strict";
import { DeadlineQueue } from "../../lib/timer/deadline_queue.ts";

interface Entry {
  deadline: number;
  done: boolean;
  id: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("DeadlineQueue expires entries in order and skips settled ones", async () => {
  const expired: number[] = [];
  const queue = new DeadlineQueue<Entry>((entry) => {
    entry.done = true;
    expired.push(entry.id);
  });
  const now = performance.now();
  const entries = [0, 1, 2, 3].map((id) => ({
    deadline: now + 10 + id * 10,
    done: false,
    id,
  }));
  for (const e of entries) queue.push(e);
  entries[1].done = true; // settled before its deadline
  assert.deepEqual([...queue.pending()].map((e) => e.id), [0, 2, 3]);
  await sleep(80);
  assert.deepEqual(expired, [0, 2, 3]);
  assert.deepEqual([...queue.pending()], []);
});

Deno.test("DeadlineQueue.clear() stops the timer (no timer leaks)", async () => {
  let calls = 0;
  const queue = new DeadlineQueue<Entry>(() => calls++);
  queue.push({ deadline: performance.now() + 20, done: false, id: 1 });
  queue.clear();
  await sleep(40);
  assert.equal(calls, 0);
});

Deno.test("DeadlineQueue lets onExpire clear the queue", async () => {
  const expired: number[] = [];
  const queue = new DeadlineQueue<Entry>((entry) => {
    expired.push(entry.id);
    queue.clear();
  });
  const now = performance.now();
  queue.push({ deadline: now + 5, done: false, id: 1 });
  queue.push({ deadline: now + 5, done: false, id: 2 });
  await sleep(30);
  assert.deepEqual(expired, [1]);
});

Deno.test("DeadlineQueue holds no done entries from its head once the next is pushed", () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  // Steady load: 10,000 waits, each done before long, a few in flight.
  const inFlight: Entry[] = [];
  for (let id = 0; id < 10_000; id++) {
    const entry = { deadline: now + 60_000 + id, done: false, id };
    queue.push(entry);
    inFlight.push(entry);
    if (inFlight.length > 3) inFlight.shift()!.done = true;
    assert.ok(queue.length <= 5, `${queue.length} entries held at ${id}`);
  }
  // Out of order: an entry done behind a waiting one stays until the head goes.
  inFlight[1].done = true;
  queue.push({ deadline: now + 70_000, done: false, id: -1 });
  assert.deepEqual(
    [...queue.pending()].map((e) => e.id),
    [inFlight[0].id, inFlight[2].id, -1],
  );
  queue.clear();
  assert.equal(queue.length, 0);
});

Deno.test("DeadlineQueue drops done entries behind one still waiting once it holds over twice the waiting ones and 1024 more", () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  queue.push({ deadline: now + 60_000, done: false, id: -1 }, 0);
  let longest = 0;
  for (let id = 0; id < 10_000; id++) {
    const entry = { deadline: now + 60_000, done: false, id };
    // Waiting: the head, and from 5001 on also entry 5000.
    queue.push(entry, id > 5000 ? 2 : 1);
    if (id !== 5000) entry.done = true;
    longest = Math.max(longest, queue.length);
  }
  assert.ok(longest <= 2 * 2 + 1024 + 1, `held ${longest} entries`);
  assert.deepEqual([...queue.pending()].map((e) => e.id), [-1, 5000]);
  queue.clear();
  // Without the waiting count, done entries leave only from the head.
  const plain = new DeadlineQueue<Entry>(() => {});
  plain.push({ deadline: now + 60_000, done: false, id: -1 });
  for (let id = 0; id < 3000; id++) {
    const entry = { deadline: now + 60_000, done: false, id };
    plain.push(entry);
    entry.done = true;
  }
  assert.equal(plain.length, 3001);
  plain.clear();
});
