import assert from "node:assert/strict";
import {
  DEFAULT_NATS_PORT,
  DEFAULT_NATS_URL,
  natsHostPort,
  parseNatsUrl,
  parseNatsUrls,
} from "../../lib/nats/urls.ts";

Deno.test("parseNatsUrls() splits comma lists, trims and keeps the URLs as written", () => {
  assert.deepEqual(parseNatsUrls(DEFAULT_NATS_URL), ["nats://127.0.0.1:4222"]);
  assert.deepEqual(
    parseNatsUrls(" nats://10.0.0.1:4222 ,, tls://nats.example.com,10.0.0.3"),
    ["nats://10.0.0.1:4222", "tls://nats.example.com", "10.0.0.3"],
  );
  assert.deepEqual(
    parseNatsUrls(["nats://a:1,nats://b:2", " nats://c:3 "]),
    ["nats://a:1", "nats://b:2", "nats://c:3"],
  );
});

Deno.test("parseNatsUrls() refuses an empty list and URLs without a host", () => {
  for (const empty of ["", " , ", []]) {
    assert.throws(() => parseNatsUrls(empty), /^TypeError: no NATS URL given$/);
  }
  for (const bad of ["nats://", "nats://a b", "nats://:4222", "http://[::1"]) {
    assert.throws(
      () => parseNatsUrls(`nats://ok:4222,${bad}`),
      /is not a NATS URL \(like nats:\/\/127\.0\.0\.1:4222\)/,
      bad,
    );
  }
});

Deno.test("parseNatsUrl() and natsHostPort() fill in the scheme and the port", () => {
  assert.equal(parseNatsUrl("10.0.0.1:4333").href, "nats://10.0.0.1:4333");
  assert.deepEqual(natsHostPort("10.0.0.1"), {
    hostname: "10.0.0.1",
    port: DEFAULT_NATS_PORT,
  });
  assert.deepEqual(natsHostPort("nats://0.0.0.0:5222"), {
    hostname: "0.0.0.0",
    port: 5222,
  });
  assert.deepEqual(natsHostPort("nats://[::1]:4223"), {
    hostname: "::1",
    port: 4223,
  });
});
