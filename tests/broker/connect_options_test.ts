import assert from "node:assert/strict";
import {
  DEFAULT_CONNECT_OPTIONS,
  parseConnect,
} from "../../lib/broker/connect_options.ts";

Deno.test("parseConnect() applies known fields over the current options", () => {
  const { options, authorized } = parseConnect(
    '{"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"echo":false,"name":"dhcp","lang":"nats.js","version":"3.4.0","unknown":1}',
    DEFAULT_CONNECT_OPTIONS,
  );
  assert.ok(authorized);
  assert.deepEqual(options, {
    verbose: false,
    pedantic: false,
    echo: false,
    headers: true,
    noResponders: true,
    name: "dhcp",
    lang: "nats.js",
    version: "3.4.0",
  });
});

Deno.test("parseConnect() keeps the current value for missing or mistyped fields", () => {
  const { options } = parseConnect(
    '{"verbose":"no","name":7}',
    DEFAULT_CONNECT_OPTIONS,
  );
  assert.equal(options.verbose, true);
  assert.equal(options.pedantic, true);
  assert.equal(options.name, "");
});

Deno.test("parseConnect() checks a token or a user and password", () => {
  const token = { token: "s3cr3t" };
  assert.ok(
    parseConnect('{"auth_token":"s3cr3t"}', DEFAULT_CONNECT_OPTIONS, token)
      .authorized,
  );
  assert.ok(
    !parseConnect('{"auth_token":"s3cr3"}', DEFAULT_CONNECT_OPTIONS, token)
      .authorized,
  );
  assert.ok(!parseConnect("{}", DEFAULT_CONNECT_OPTIONS, token).authorized);
  const user = { user: "u", pass: "p" };
  assert.ok(
    parseConnect('{"user":"u","pass":"p"}', DEFAULT_CONNECT_OPTIONS, user)
      .authorized,
  );
  assert.ok(
    !parseConnect('{"user":"u","pass":"x"}', DEFAULT_CONNECT_OPTIONS, user)
      .authorized,
  );
  assert.ok(
    !parseConnect('{"user":"u"}', DEFAULT_CONNECT_OPTIONS, user).authorized,
  );
});

Deno.test("parseConnect() throws on text that is not a JSON object", () => {
  assert.throws(
    () => parseConnect("{bad", DEFAULT_CONNECT_OPTIONS),
    SyntaxError,
  );
  assert.throws(() => parseConnect("[1]", DEFAULT_CONNECT_OPTIONS), TypeError);
  assert.throws(() => parseConnect("null", DEFAULT_CONNECT_OPTIONS), TypeError);
});
