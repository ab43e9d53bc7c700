import assert from "node:assert/strict";
import {
  KEEP_CHUNK,
  MAX_CHUNK,
  MIN_CHUNK,
  OutBuffer,
} from "../../lib/broker/out_buffer.ts";
import { prng } from "../_helpers/seeded_random.ts";

Deno.test("OutBuffer hands out bytes in order, holds at most two chunks more than waits, and frees what was written", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rand = prng(seed);
    let freed = 0;
    const out = new OutBuffer((bytes) => freed += bytes);
    // Byte number i of the stream is i & 0xff, so order is checked as it
    // comes out.
    let appended = 0;
    let written = 0;
    for (let step = 0; step < 200; step++) {
      if (rand() < 0.6) {
        const n = 1 + Math.floor(rand() ** 3 * 3 * MAX_CHUNK);
        const run = Uint8Array.from({ length: n }, () => appended++ & 0xff);
        if (n <= 256 && rand() < 0.5) {
          out.ascii(String.fromCharCode(...run));
        } else out.bytes(run);
      }
      // Write a random part of the first chunk, as a socket would.
      const head = out.peek();
      const n = Math.floor(rand() * (head.length + 1));
      for (let i = 0; i < n; i++) {
        assert.equal(head[i], written++ & 0xff, `seed ${seed}`);
      }
      out.consume(n);
      assert.equal(out.length, appended - written);
      assert.ok(out.capacity <= out.length + 2 * MAX_CHUNK, `seed ${seed}`);
    }
    while (out.length > 0) {
      const head = out.peek();
      for (const b of head) assert.equal(b, written++ & 0xff);
      out.consume(head.length);
    }
    assert.equal(written, appended);
    assert.ok(out.capacity <= KEEP_CHUNK, `seed ${seed}: ${out.capacity}`);
    out.clear();
    assert.equal(out.capacity, 0);
    assert.ok(freed >= appended - KEEP_CHUNK);
  }
});

Deno.test("OutBuffer starts small and grows chunk by chunk", () => {
  const out = new OutBuffer();
  assert.equal(out.capacity, 0);
  out.ascii("PONG\r\n");
  assert.equal(out.capacity, MIN_CHUNK);
  out.bytes(new Uint8Array(MAX_CHUNK * 4));
  // Doubling chunks up to MAX_CHUNK, never more than one chunk of room.
  assert.ok(out.capacity - out.length < MAX_CHUNK);
  assert.equal(out.peek().length, MIN_CHUNK);
  out.clear();
  assert.equal(out.length, 0);
  assert.equal(out.peek().length, 0);
});
