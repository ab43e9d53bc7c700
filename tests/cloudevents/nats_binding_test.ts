import assert from "node:assert/strict";
import { CloudEvent } from "cloudevents";
import { headers } from "@nats-io/nats-core";
import {
  decodeEvent,
  encodeBinary,
  encodeStructured,
} from "../../lib/cloudevents/nats_binding.ts";
import { InvalidEventError } from "../../lib/cloudevents/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

// A request exactly as Go's cloudevents/sdk-go v2 writes it (nanosecond time).
const GO_REQUEST = {
  specversion: "1.0",
  id: "2b1f7c1e-4a0e-4d4b-9d0b-2d7f0a3c9a11",
  source: "/tinkerbell/dhcp",
  type: "org.tinkerbell.backend.read",
  datacontenttype: "application/json",
  time: "2024-05-01T10:00:00.123456789Z",
  data: {
    MacAddress: "CAAnKU5n",
    Traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  },
};

Deno.test("encodeStructured() writes JSON data inline as an object", () => {
  const event = new CloudEvent({
    type: "org.tinkerbell.backend.read",
    source: "/tinkerbell/dhcp",
    subject: "08:00:27:29:4e:67",
    datacontenttype: "application/json",
    data: { MacAddress: "CAAnKU5n", Traceparent: "" },
  });
  const out = JSON.parse(dec.decode(encodeStructured(event)));
  assert.equal(out.specversion, "1.0");
  assert.equal(out.type, "org.tinkerbell.backend.read");
  assert.equal(out.source, "/tinkerbell/dhcp");
  assert.equal(out.subject, "08:00:27:29:4e:67");
  assert.equal(typeof out.id, "string");
  assert.deepEqual(out.data, { MacAddress: "CAAnKU5n", Traceparent: "" });
  assert.equal("data_base64" in out, false);
  for (const [k, v] of Object.entries(out)) {
    assert.notEqual(v, null, `attribute ${k} is null`);
  }
});

Deno.test("encodeStructured() turns a JSON string datum into an object", () => {
  const event = new CloudEvent({
    type: "t",
    source: "/s",
    datacontenttype: "application/json",
    data: '{"DHCP":{"IPAddress":"10.0.0.5"}}',
  });
  const out = JSON.parse(dec.decode(encodeStructured(event)));
  assert.deepEqual(out.data, { DHCP: { IPAddress: "10.0.0.5" } });
});

Deno.test("encodeStructured() sends bytes as data_base64 and keeps extensions", () => {
  const event = new CloudEvent({
    type: "t",
    source: "/s",
    datacontenttype: "application/octet-stream",
    data: new Uint8Array([1, 2, 3]),
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  });
  const out = JSON.parse(dec.decode(encodeStructured(event)));
  assert.equal(out.data_base64, "AQID");
  assert.equal("data" in out, false);
  assert.equal(out.traceparent, event.traceparent);
});

Deno.test("encodeStructured() keeps a nanosecond time as given", () => {
  const event = new CloudEvent({
    type: "t",
    source: "/s",
    time: "2024-05-01T10:00:00.123456789Z",
  });
  const out = JSON.parse(dec.decode(encodeStructured(event)));
  assert.equal(out.time, "2024-05-01T10:00:00.123456789Z");
});

Deno.test("decodeEvent() reads Go's structured request with nanosecond time", () => {
  const event = decodeEvent(json(GO_REQUEST));
  assert.equal(event.id, GO_REQUEST.id);
  assert.equal(event.type, "org.tinkerbell.backend.read");
  assert.equal(event.time, "2024-05-01T10:00:00.123456789Z");
  assert.deepEqual(event.data, GO_REQUEST.data);
});

Deno.test("decodeEvent() accepts any RFC 3339 time", () => {
  for (
    const time of [
      "2024-05-01T10:00:00Z",
      "2024-05-01T12:00:00.5+02:00",
      "2024-05-01t10:00:00.123456789z",
    ]
  ) {
    assert.equal(decodeEvent(json({ ...GO_REQUEST, time })).time, time);
  }
});

Deno.test("decodeEvent() parses data sent as a JSON string", () => {
  const event = decodeEvent(
    json({ ...GO_REQUEST, data: JSON.stringify(GO_REQUEST.data) }),
  );
  assert.deepEqual(event.data, GO_REQUEST.data);
});

Deno.test("decodeEvent() parses data_base64 that holds JSON", () => {
  const { data: _, ...rest } = GO_REQUEST;
  const event = decodeEvent(
    json({ ...rest, data_base64: btoa(JSON.stringify(GO_REQUEST.data)) }),
  );
  assert.deepEqual(event.data, GO_REQUEST.data);
});

Deno.test("decodeEvent() keeps a plain string datum that is not JSON", () => {
  const event = decodeEvent(json({ ...GO_REQUEST, data: "hello" }));
  assert.equal(event.data, "hello");
});

Deno.test("decodeEvent() reads binary content mode from ce-* headers", () => {
  const h = headers();
  h.set("ce-specversion", "1.0");
  h.set("ce-id", "abc");
  h.set("ce-source", "/tinkerbell/dhcp");
  h.set("ce-type", "org.tinkerbell.backend.read");
  h.set("ce-time", "2024-05-01T10:00:00.123456789Z");
  h.set("ce-subject", "08:00:27:29:4e:67");
  h.set("Content-Type", "application/json");
  const event = decodeEvent(json(GO_REQUEST.data), h);
  assert.equal(event.id, "abc");
  assert.equal(event.subject, "08:00:27:29:4e:67");
  assert.equal(event.datacontenttype, "application/json");
  assert.deepEqual(event.data, GO_REQUEST.data);
});

Deno.test("encodeBinary() output decodes back to the same event", () => {
  const event = new CloudEvent({
    type: "t",
    source: "/s",
    subject: "x",
    datacontenttype: "application/json",
    data: { a: [1, 2] },
  });
  const { payload, headers: h } = encodeBinary(event);
  assert.equal(h.get("ce-type"), "t");
  assert.equal(h.get("content-type"), "application/json");
  const back = decodeEvent(payload, h);
  assert.equal(back.id, event.id);
  assert.equal(back.subject, "x");
  assert.deepEqual(back.data, { a: [1, 2] });
});

Deno.test("decodeEvent() ignores unrelated headers and reads structured mode", () => {
  const h = headers();
  h.set("X-Other", "1");
  assert.equal(decodeEvent(json(GO_REQUEST), h).id, GO_REQUEST.id);
});

function rejects(
  payload: Uint8Array,
  pattern: RegExp,
  h?: ReturnType<typeof headers>,
) {
  assert.throws(() => decodeEvent(payload, h), (err: unknown) => {
    assert.ok(err instanceof InvalidEventError, String(err));
    assert.equal(err.name, "InvalidEventError");
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\.$/);
    return true;
  });
}

Deno.test("decodeEvent() rejects what is not a CloudEvent with a clear message", () => {
  rejects(new Uint8Array(0), /payload is empty/);
  rejects(enc.encode("not json"), /not JSON/);
  rejects(enc.encode("[1,2]"), /not an object/);
  rejects(new Uint8Array([0xff, 0xfe]), /not JSON/);
  rejects(json(GO_REQUEST.data), /specversion is missing/);
  const { id: _, ...noId } = GO_REQUEST;
  rejects(json(noId), /id is missing/);
  rejects(json({ ...GO_REQUEST, type: 7 }), /type is not a non-empty string/);
  rejects(json({ ...GO_REQUEST, specversion: "0.9" }), /specversion "0.9"/);
  rejects(json({ ...GO_REQUEST, time: "yesterday" }), /time/);
  rejects(json({ ...GO_REQUEST, Foo: "x" }), /Foo/);
  rejects(
    json({ ...GO_REQUEST, data: undefined, data_base64: "%%%" }),
    /base64/,
  );
});

Deno.test("decodeEvent() rejects a binary-mode event with bad JSON or attributes", () => {
  const h = headers();
  h.set("ce-specversion", "1.0");
  h.set("ce-id", "1");
  h.set("ce-source", "/s");
  h.set("content-type", "application/json");
  rejects(json({}), /binary mode\): required attribute type is missing/, h);
  h.set("ce-type", "t");
  rejects(enc.encode("{oops"), /binary mode\): the payload is not JSON/, h);
});
