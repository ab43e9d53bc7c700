import assert from "node:assert/strict";
import { fromGoUrl, toGoUrl } from "../../lib/nats/go_url.ts";
import { GO_NETBOOT } from "./_go_fixtures.ts";

Deno.test("toGoUrl() matches Go's url.Parse for the wire-format example", () => {
  assert.deepEqual(
    toGoUrl("https://boot.netboot.xyz/"),
    GO_NETBOOT.IPXEScriptURL,
  );
});

Deno.test("toGoUrl() splits port, query, fragment and escaped paths like Go", () => {
  const u = toGoUrl(
    "http://user:pw@10.0.0.1:8080/a%20b/c%2Fd?mac=${mac}&x=1#frag%21",
  );
  assert.equal(u.Host, "10.0.0.1:8080");
  assert.equal(u.User, null); // Go cannot carry user info in JSON
  assert.equal(u.Path, "/a b/c/d");
  assert.equal(u.RawPath, "/a%20b/c%2Fd");
  assert.equal(u.RawQuery, "mac=${mac}&x=1");
  assert.equal(u.Fragment, "frag!");
  assert.equal(u.RawFragment, "frag%21");
  assert.equal(toGoUrl("http://h/x?").ForceQuery, true);
  assert.equal(toGoUrl("http://h/a%20b").RawPath, "");
  assert.throws(() => toGoUrl("/relative/path"), TypeError);
  assert.throws(() => toGoUrl("not a url"), TypeError);
});

Deno.test("fromGoUrl() rebuilds what toGoUrl() took apart", () => {
  for (
    const url of [
      "https://boot.netboot.xyz/",
      "http://10.0.0.1:8080/auto.ipxe",
      "http://h/a%20b/c%2Fd?mac=1&x=2#frag%21",
      "tftp://192.168.2.5/ipxe.efi",
      "http://h/x?",
      "http://h",
    ]
  ) {
    assert.equal(fromGoUrl({ ...toGoUrl(url) }), url);
  }
});

Deno.test("fromGoUrl() takes keys in any case, user info and missing fields", () => {
  assert.equal(
    fromGoUrl({ scheme: "http", host: "h", path: "/p", rawquery: "a=1" }),
    "http://h/p?a=1",
  );
  assert.equal(
    fromGoUrl({ Scheme: "http", Host: "h", Path: "p" }),
    "http://h/p",
  );
  assert.equal(
    fromGoUrl({
      Scheme: "http",
      Host: "h",
      User: { Username: "u", Password: "p w" },
    }),
    "http://u:p%20w@h",
  );
  assert.equal(fromGoUrl({ Scheme: "http", Host: "h", User: {} }), "http://h");
  assert.equal(fromGoUrl({ Scheme: "mailto", Opaque: "a@b" }), "mailto:a@b");
  assert.equal(fromGoUrl({}), undefined);
  assert.throws(
    () => fromGoUrl({ Scheme: 1 }),
    /Scheme is number, want a string/,
  );
});
