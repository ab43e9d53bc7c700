import assert from "node:assert/strict";
import { CloudEvent } from "cloudevents";
import {
  createEvent,
  eventFromRecord,
  validateAttributes,
} from "../../lib/cloudevents/event.ts";
import { InvalidEventError } from "../../lib/cloudevents/errors.ts";
import {
  decodeEvent,
  encodeStructured,
} from "../../lib/cloudevents/nats_binding.ts";

Deno.test("createEvent() makes a real, frozen, valid CloudEvent", () => {
  const event = createEvent({
    type: "org.tinkerbell.backend.read",
    source: "/tinkerbell/dhcp",
    subject: "08:00:27:29:4e:67",
    datacontenttype: "application/json",
    data: { MacAddress: "CAAnKU5n" },
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  });
  assert.ok(event instanceof CloudEvent);
  assert.ok(Object.isFrozen(event));
  assert.equal(event.specversion, "1.0");
  assert.match(event.id, /^[0-9a-f-]{36}$/);
  assert.equal(event.time, undefined);
  assert.equal(event.validate(), true); // the cloudevents package agrees
  assert.equal(
    event.traceparent,
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  );
  // Same own properties as the constructor would set.
  const reference = new CloudEvent({ ...event, time: undefined });
  assert.deepEqual(Object.keys(event).sort(), Object.keys(reference).sort());
  const clone = event.cloneWith({ subject: "x" });
  assert.equal(clone.subject, "x");
});

Deno.test("createEvent() rejects bad attributes with InvalidEventError", () => {
  assert.throws(
    () => createEvent({ type: "", source: "/s" }),
    (err: unknown) =>
      err instanceof InvalidEventError &&
      /required attribute type is not a non-empty string/.test(err.message),
  );
  assert.throws(
    () => createEvent({ type: "t", source: "/s", time: "noon" }),
    /time "noon" is not an RFC 3339 timestamp/,
  );
  assert.throws(
    () => createEvent({ type: "t", source: "/s", BadName: "x" }),
    /extension attribute name "BadName"/,
  );
  assert.throws(
    () => createEvent({ type: "t", source: "/s", ext: { a: 1 } }),
    /extension attribute ext is object/,
  );
});

Deno.test("eventFromRecord() keeps bytes as data and sets data_base64", () => {
  const record = { specversion: "1.0", id: "1", source: "/s", type: "t" };
  validateAttributes(record, "test");
  const event = eventFromRecord({ ...record, data: new Uint8Array([1, 2]) });
  assert.equal(event.data_base64, "AQI=");
  const json = JSON.parse(new TextDecoder().decode(encodeStructured(event)));
  assert.equal(json.data_base64, "AQI=");
});

Deno.test("decodeEvent() returns CloudEvent instances that re-encode the same", () => {
  const original = createEvent({
    type: "t",
    source: "/s",
    time: "2024-05-01T10:00:00.123456789Z",
    data: { DHCP: { IPAddress: "10.0.0.1" } },
  });
  const payload = encodeStructured(original);
  const decoded = decodeEvent(payload);
  assert.ok(decoded instanceof CloudEvent);
  assert.equal(decoded.validate(), true);
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(encodeStructured(decoded))),
    JSON.parse(new TextDecoder().decode(payload)),
  );
});
