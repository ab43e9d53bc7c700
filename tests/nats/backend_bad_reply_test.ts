import assert from "node:assert/strict";
import { NatsBackend } from "../../lib/nats/backend.ts";
import {
  BackendError,
  InvalidReplyError,
  LookupTimeoutError,
  NoResponderError,
} from "../../lib/backend/errors.ts";
import { InvalidEventError } from "../../lib/cloudevents/errors.ts";
import {
  enc,
  GO_DHCP,
  goEnvelope,
  goResponder,
  MAC,
  withNats,
} from "./_go_fixtures.ts";

// Each MAC of this table makes the responder send one kind of bad reply.
const BAD: Record<string, [string, (mac: string) => Uint8Array | undefined]> = {
  "02:00:00:00:00:01": ["not JSON", () => enc.encode("<html>oops</html>")],
  "02:00:00:00:00:02": [
    "not a CloudEvent",
    () => enc.encode(JSON.stringify(GO_DHCP)),
  ],
  "02:00:00:00:00:03": ["data of the wrong shape", () => goEnvelope([1, 2, 3])],
  "02:00:00:00:00:04": [
    "v1 with an unknown key",
    (mac) => goEnvelope({ ...GO_DHCP, MACAddress: mac, Foo: "bar" }),
  ],
  "02:00:00:00:00:05": [
    "LeaseTime a string",
    (mac) => goEnvelope({ ...GO_DHCP, MACAddress: mac, LeaseTime: "86400" }),
  ],
  "02:00:00:00:00:06": [
    "404",
    () =>
      goEnvelope({
        DHCP: {},
        Netboot: {},
        Error: { Code: 404, Message: "not found" },
      }),
  ],
  "02:00:00:00:00:07": [
    "backend error",
    () =>
      goEnvelope({
        DHCP: {},
        Netboot: {},
        Error: { Code: 500, Message: "db down" },
      }),
  ],
  "02:00:00:00:00:08": ["no reply (slow responder)", () => undefined],
  "02:00:00:00:00:09": ["reply for another MAC", () => goEnvelope(GO_DHCP)],
  "02:00:00:00:00:0a": ["empty payload", () => new Uint8Array(0)],
  "02:00:00:00:00:0b": [
    "a CloudEvent without data",
    () => goEnvelope(undefined),
  ],
};

Deno.test("nats backend - each bad reply fails only its own lookup", () =>
  withNats(async (nc) => {
    goResponder(nc, "g.bad", (mac) => {
      if (mac === "02:00:00:00:00:ff") {
        return goEnvelope({
          ...GO_DHCP,
          MACAddress: mac,
          IPAddress: "10.9.9.9",
        });
      }
      return BAD[mac][1](mac);
    });
    await nc.flush();
    const backend = new NatsBackend({ nc, subject: "g.bad", timeout: 400 });
    const good = backend.lookup("02:00:00:00:00:ff");
    const results = await Promise.allSettled(
      Object.keys(BAD).map((mac) => backend.lookup(mac)),
    );
    assert.equal((await good)?.ipAddress, "10.9.9.9");
    const outcome = (i: number) => results[i];
    const failed = (
      i: number,
      cls: abstract new (...args: never[]) => Error,
      pattern: RegExp,
    ) => {
      const r = outcome(i);
      assert.equal(r.status, "rejected", Object.values(BAD)[i][0]);
      const err = (r as PromiseRejectedResult).reason;
      assert.ok(err instanceof cls, `${Object.values(BAD)[i][0]}: ${err}`);
      assert.match(err.message, pattern);
      assert.doesNotMatch(err.message, /\.$/);
    };
    failed(0, InvalidEventError, /payload is not JSON/);
    failed(1, InvalidEventError, /required attribute specversion is missing/);
    failed(2, InvalidReplyError, /the data is an array, want a JSON object/);
    failed(3, InvalidReplyError, /DHCP\.Foo is not a known DHCP field/);
    failed(4, InvalidReplyError, /DHCP\.LeaseTime is a string, want a number/);
    assert.deepEqual(outcome(5), { status: "fulfilled", value: undefined });
    failed(6, BackendError, /Backend reported error 500: db down/);
    failed(7, LookupTimeoutError, /timed out after 400 ms/);
    failed(
      8,
      InvalidReplyError,
      /DHCP\.MACAddress is 08:00:27:29:4e:67, not the MAC looked up/,
    );
    failed(9, InvalidEventError, /payload is empty/);
    failed(10, InvalidReplyError, /the data is missing, want a JSON object/);
  }));

Deno.test("nats backend - no responder fails at once with NoResponderError", () =>
  withNats(async (nc) => {
    const backend = new NatsBackend({ nc, subject: "g.nobody", timeout: 3000 });
    const started = performance.now();
    await assert.rejects(backend.lookup(MAC), NoResponderError);
    assert.ok(performance.now() - started < 1500, "well under the timeout");
  }));
