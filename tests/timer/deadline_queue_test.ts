import assert from "node:assert/strict";
import { DeadlineQueue } from "../../lib/timer/deadline_queue.ts";
import { survivors } from "../_helpers/collect_garbage.ts";

interface Entry {
  deadline: number;
  done: boolean;
  slot: number;
  id: number;
  payload?: object;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const entry = (deadline: number, id: number): Entry => ({
  deadline,
  done: false,
  slot: -1,
  id,
});

Deno.test("DeadlineQueue expires entries in order and skips settled ones", async () => {
  const expired: number[] = [];
  const queue = new DeadlineQueue<Entry>((e) => {
    queue.settle(e);
    expired.push(e.id);
  });
  const now = performance.now();
  const entries = [0, 1, 2, 3].map((id) => entry(now + 10 + id * 10, id));
  for (const e of entries) queue.push(e);
  assert.equal(queue.settle(entries[1]), true); // settled before its deadline
  assert.equal(queue.settle(entries[1]), false); // already done
  assert.equal(queue.waiting, 3);
  assert.deepEqual([...queue.pending()].map((e) => e.id), [0, 2, 3]);
  await sleep(80);
  assert.deepEqual(expired, [0, 2, 3]);
  assert.deepEqual([...queue.pending()], []);
  assert.equal(queue.waiting, 0);
  assert.equal(queue.length, 0);
});

Deno.test("DeadlineQueue settles an expired entry its onExpire left waiting", async () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const e = entry(performance.now() + 5, 1);
  queue.push(e);
  await sleep(30);
  assert.equal(e.done, true);
  assert.equal(queue.waiting, 0);
});

Deno.test("DeadlineQueue.clear() stops the timer (no timer leaks)", async () => {
  let calls = 0;
  const queue = new DeadlineQueue<Entry>(() => calls++);
  queue.push(entry(performance.now() + 20, 1));
  queue.clear();
  await sleep(40);
  assert.equal(calls, 0);
});

Deno.test("DeadlineQueue lets onExpire clear the queue", async () => {
  const expired: number[] = [];
  const queue = new DeadlineQueue<Entry>((e) => {
    expired.push(e.id);
    queue.clear();
  });
  const now = performance.now();
  queue.push(entry(now + 5, 1));
  queue.push(entry(now + 5, 2));
  await sleep(30);
  assert.deepEqual(expired, [1]);
});

Deno.test("DeadlineQueue: settling an entry from before clear() leaves the new ones alone", () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  const old = entry(now + 60_000, 1);
  queue.push(old);
  queue.clear();
  const fresh = entry(now + 60_000, 2);
  queue.push(fresh); // takes the slot the old one had
  assert.equal(queue.settle(old), true);
  assert.deepEqual([...queue.pending()].map((e) => e.id), [2]);
  assert.equal(queue.waiting, 1);
  queue.clear();
});

Deno.test("DeadlineQueue holds no settled entries from its head once the next is pushed", () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  // Steady load: 10,000 waits, each done before long, a few in flight.
  const inFlight: Entry[] = [];
  for (let id = 0; id < 10_000; id++) {
    const e = entry(now + 60_000 + id, id);
    queue.push(e);
    inFlight.push(e);
    if (inFlight.length > 3) queue.settle(inFlight.shift()!);
    assert.ok(queue.length <= 5, `${queue.length} slots held at ${id}`);
  }
  // Out of order: one settled behind a waiting one.
  queue.settle(inFlight[1]);
  queue.push(entry(now + 70_000, -1));
  assert.deepEqual(
    [...queue.pending()].map((e) => e.id),
    [inFlight[0].id, inFlight[2].id, -1],
  );
  queue.clear();
  assert.equal(queue.length, 0);
});

Deno.test("DeadlineQueue lets go of a settled entry behind one still waiting", async () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  queue.push(entry(now + 60_000, -1)); // waits out the test
  const refs: WeakRef<object>[] = [];
  // In a function of its own: a suspended async function may keep its last
  // loop variable alive.
  (() => {
    for (let id = 0; id < 100; id++) {
      const e = entry(now + 60_000, id);
      e.payload = new Uint8Array(1024);
      refs.push(new WeakRef(e.payload));
      queue.push(e);
      queue.settle(e);
    }
  })();
  const left = await survivors(refs);
  assert.equal(left, 0, `${left} settled entries held`);
  queue.clear();
});

Deno.test("DeadlineQueue holds at most twice the waiting entries and 1024 more slots", () => {
  const queue = new DeadlineQueue<Entry>(() => {});
  const now = performance.now();
  queue.push(entry(now + 60_000, -1));
  let longest = 0;
  for (let id = 0; id < 10_000; id++) {
    const e = entry(now + 60_000, id);
    // Waiting: the head, and from 5000 on also entry 5000.
    queue.push(e);
    if (id !== 5000) queue.settle(e);
    longest = Math.max(longest, queue.length);
  }
  assert.ok(longest <= 2 * 2 + 1024 + 1, `held ${longest} slots`);
  assert.equal(queue.waiting, 2);
  assert.deepEqual([...queue.pending()].map((e) => e.id), [-1, 5000]);
  queue.clear();
});
