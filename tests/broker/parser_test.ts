import assert from "node:assert/strict";
import { latin1, parseSize, splitArgs } from "../../lib/broker/bytes.ts";
import {
  ParseErrorKind,
  Parser,
  type ParserHandler,
} from "../../lib/broker/parser.ts";
import { prng } from "../_helpers/seeded_random.ts";

const enc = new TextEncoder();

/** Records every parsed operation as a readable string. */
function recorder(): { handler: ParserHandler; events: string[] } {
  const events: string[] = [];
  const handler: ParserHandler = {
    connect: (json) => void events.push(`CONNECT ${json}`),
    ping: () => void events.push("PING"),
    pong: () => void events.push("PONG"),
    pub: (subject, reply, headerSize, payload) =>
      void events.push(
        `PUB ${latin1(subject)} ${reply ? latin1(reply) : "-"} ${headerSize} ${
          latin1(payload)
        }`,
      ),
    sub: (subject, queue, sid) =>
      void events.push(
        `SUB ${latin1(subject)} ${queue ? latin1(queue) : "-"} ${sid}`,
      ),
    unsub: (sid, max) => void events.push(`UNSUB ${sid} ${max}`),
    error: (kind) => void events.push(`ERROR ${kind}`),
  };
  return { handler, events };
}

function parseWith(
  input: Uint8Array,
  splits: number[],
  options = {},
  headers = true,
): string[] {
  const { handler, events } = recorder();
  const parser = new Parser(handler, options);
  parser.headers = headers;
  let last = 0;
  for (const at of [...splits, input.length]) {
    parser.feed(input.subarray(last, at));
    last = at;
  }
  return events;
}

const SCRIPT = enc.encode(
  'CONNECT {"verbose":false,"name":"n\u00e9"}\r\n' +
    "PING\r\nPONG\r\nsub foo.* q 1\r\nSUB bar 2\r\n" +
    "PUB foo.a 5\r\nhello\r\nPUB foo.b reply.1 0\r\n\r\n" +
    "HPUB foo.c 12 14\r\nNATS/1.0\r\n\r\nab\r\n" +
    "HPUB foo.d r 18 22\r\nNATS/1.0\r\nA: b\r\n\r\nbody\r\n" +
    "UNSUB 1\r\nUNSUB 2 10\r\nUNSUB 3 x\r\nPING\n",
);

const EXPECTED = [
  'CONNECT {"verbose":false,"name":"n\u00e9"}',
  "PING",
  "PONG",
  "SUB foo.* q 1",
  "SUB bar - 2",
  "PUB foo.a - -1 hello",
  "PUB foo.b reply.1 -1 ",
  "PUB foo.c - 12 NATS/1.0\r\n\r\nab",
  "PUB foo.d r 18 NATS/1.0\r\nA: b\r\n\r\nbody",
  "UNSUB 1 undefined",
  "UNSUB 2 10",
  "UNSUB 3 -1",
  "PING",
];

Deno.test("Parser parses a whole script in one chunk", () => {
  assert.deepEqual(parseWith(SCRIPT, []), EXPECTED);
});

Deno.test("Parser gives the same operations fed one byte at a time", () => {
  const splits = Array.from({ length: SCRIPT.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(parseWith(SCRIPT, splits), EXPECTED);
});

Deno.test("Parser gives the same operations for 500 random chunk splits", () => {
  const rand = prng(42);
  for (let round = 0; round < 500; round++) {
    const cuts = new Set<number>();
    const count = Math.floor(rand() * 12);
    for (let i = 0; i < count; i++) {
      cuts.add(1 + Math.floor(rand() * (SCRIPT.length - 1)));
    }
    const splits = [...cuts].sort((a, b) => a - b);
    assert.deepEqual(parseWith(SCRIPT, splits), EXPECTED, `splits ${splits}`);
  }
});

Deno.test("Parser reports the error kind and stops at the first error", () => {
  const cases: [string, string][] = [
    ["FOO\r\nPING\r\n", ParseErrorKind.UnknownOperation],
    ["PUBX a 1\r\n", ParseErrorKind.UnknownOperation],
    ["\r\n", ParseErrorKind.UnknownOperation],
    ["PUB a 2\r\nabc\r\nPING\r\n", ParseErrorKind.UnknownOperation],
    ["PUB a 1\r\nx\n", ParseErrorKind.UnknownOperation],
    ["PUB a x\r\n", ParseErrorKind.BadArguments],
    ["PUB a b c 1\r\n", ParseErrorKind.BadArguments],
    ["HPUB a 5 3\r\n", ParseErrorKind.BadArguments],
    ["SUB a\r\n", ParseErrorKind.BadArguments],
    ["UNSUB 1 2 3\r\n", ParseErrorKind.BadArguments],
    ["PUB a 1048577\r\n", ParseErrorKind.MaxPayload],
    [`SUB ${"a".repeat(5000)} 1\r\n`, ParseErrorKind.MaxControlLine],
  ];
  for (const [input, kind] of cases) {
    const bytes = enc.encode(input + "PING\r\n");
    for (
      const splits of [
        [],
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ]
    ) {
      const events = parseWith(bytes, splits);
      assert.deepEqual(events, [`ERROR ${kind}`], JSON.stringify(input));
    }
  }
});

Deno.test("Parser refuses HPUB until headers are enabled", () => {
  const events = parseWith(
    enc.encode("HPUB a 12 14\r\nNATS/1.0\r\n\r\nab\r\n"),
    [],
    {},
    false,
  );
  assert.deepEqual(events, [`ERROR ${ParseErrorKind.HeadersNotSupported}`]);
});

Deno.test("Parser honours smaller limits", () => {
  assert.deepEqual(
    parseWith(enc.encode("PUB a 11\r\n"), [], { maxPayload: 10 }),
    [
      `ERROR ${ParseErrorKind.MaxPayload}`,
    ],
  );
  assert.deepEqual(
    parseWith(enc.encode("PUB a 10\r\n0123456789\r\n"), [], { maxPayload: 10 }),
    [
      "PUB a - -1 0123456789",
    ],
  );
  assert.deepEqual(
    parseWith(enc.encode("SUB abcdefgh 1\r\n"), [], { maxControlLine: 8 }),
    [
      `ERROR ${ParseErrorKind.MaxControlLine}`,
    ],
  );
});

Deno.test("Parser keeps a payload split over many chunks intact", () => {
  const payload = new Uint8Array(300_000);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const head = enc.encode(`PUB big ${payload.length}\r\n`);
  const input = new Uint8Array(head.length + payload.length + 2);
  input.set(head);
  input.set(payload, head.length);
  input.set([13, 10], head.length + payload.length);
  let got: Uint8Array | undefined;
  const { handler } = recorder();
  const parser = new Parser({
    ...handler,
    pub: (_s, _r, _h, p) => void (got = p.slice()),
  });
  for (let i = 0; i < input.length; i += 7001) {
    parser.feed(input.subarray(i, i + 7001));
  }
  assert.deepEqual(got, payload);
});

Deno.test("Parser.stop() ignores later input", () => {
  const { handler, events } = recorder();
  const parser = new Parser(handler);
  parser.feed(enc.encode("PING\r\n"));
  parser.stop();
  parser.feed(enc.encode("PING\r\n"));
  assert.deepEqual(events, ["PING"]);
  assert.ok(parser.failed);
});

Deno.test("splitArgs() splits on spaces and tabs and parseSize() rejects non-digits", () => {
  assert.deepEqual(splitArgs(enc.encode(" a\tb  c ")).map(latin1), [
    "a",
    "b",
    "c",
  ]);
  assert.equal(parseSize(enc.encode("1234")), 1234);
  assert.equal(parseSize(enc.encode("12a")), -1);
  assert.equal(parseSize(enc.encode("")), -1);
  assert.equal(parseSize(enc.encode("-1")), -1);
});

Deno.test("Parser keeps payloads intact when the caller reuses its read buffer", () => {
  // The broker reads every chunk into the same buffer, so nothing may
  // point into a chunk once feed() returns; a payload that ends exactly at
  // a chunk's end, its CRLF in the next read, is the edge.
  const payload = "0123456789abcdef".repeat(8);
  const input = enc.encode(
    `PUB a 128\r\n${payload}\r\nPUB b 3\r\nxyz\r\nHPUB c 12 14\r\nNATS/1.0\r\n\r\nhi\r\n`,
  );
  const expected = parseWith(input, []);
  const payloadEnd = input.indexOf(0x0d, 11 + 128);
  const rand = prng(7);
  const cases = [[payloadEnd], [11, payloadEnd], [payloadEnd - 1, payloadEnd]];
  for (let c = 0; c < 200; c++) {
    const splits = new Set<number>();
    for (let k = 0; k < 1 + rand() * 6; k++) {
      splits.add(1 + Math.floor(rand() * (input.length - 1)));
    }
    cases.push([...splits].sort((a, b) => a - b));
  }
  for (const splits of cases) {
    const { handler, events } = recorder();
    const parser = new Parser(handler);
    parser.headers = true;
    const shared = new Uint8Array(input.length);
    let last = 0;
    for (const at of [...splits, input.length]) {
      shared.fill(0x21);
      shared.set(input.subarray(last, at));
      parser.feed(shared.subarray(0, at - last));
      last = at;
    }
    assert.deepEqual(events, expected, `splits ${splits}`);
  }
});
