import assert from "node:assert/strict";
import { EXPECTED } from "./_go_fixtures.ts";
import {
  decodeLookupReply,
  decodeLookupRequest,
  encodeLookupError,
  encodeLookupReply,
  encodeLookupRequest,
} from "../../lib/nats/wire.ts";
import { BackendError, InvalidReplyError } from "../../lib/backend/errors.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

// The v2 reply data of the wire format, byte for byte as a Go responder sends it.
const GO_V2_REPLY = JSON.parse(`{
  "DHCP": {
    "MACAddress": "08:00:27:29:4e:67",
    "IPAddress": "192.168.2.153",
    "SubnetMask": "255.255.255.0",
    "DefaultGateway": "192.168.2.1",
    "NameServers": ["8.8.8.8", "1.1.1.1"],
    "Hostname": "pxe-virtualbox",
    "DomainName": "example.com",
    "BroadcastAddress": "192.168.2.255",
    "NTPServers": ["132.163.96.2"],
    "LeaseTime": 86400,
    "DomainSearch": ["example.com"]
  },
  "Netboot": {
    "AllowNetboot": true,
    "IPXEScriptURL": {"Scheme": "https", "Opaque": "", "User": null, "Host": "boot.netboot.xyz",
                      "Path": "/", "RawPath": "", "ForceQuery": false, "RawQuery": "",
                      "Fragment": "", "RawFragment": ""}
  },
  "Error": {"Code": 0, "Message": ""}
}`);

const GO_DHCP_KEYS = [
  "MACAddress",
  "IPAddress",
  "SubnetMask",
  "DefaultGateway",
  "NameServers",
  "Hostname",
  "DomainName",
  "BroadcastAddress",
  "NTPServers",
  "LeaseTime",
  "DomainSearch",
];
const GO_URL_KEYS = [
  "Scheme",
  "Opaque",
  "User",
  "Host",
  "Path",
  "RawPath",
  "ForceQuery",
  "RawQuery",
  "Fragment",
  "RawFragment",
];

/** The checks Go's v2 decoder makes on the DHCP object (see wire-format.md). */
function assertGoDecodable(dhcp: Record<string, unknown>) {
  for (const [key, value] of Object.entries(dhcp)) {
    assert.ok(
      GO_DHCP_KEYS.some((k) => k.toLowerCase() === key.toLowerCase()),
      `unknown DHCP key ${key}`,
    );
    if (key === "LeaseTime") assert.equal(typeof value, "number");
    else if (Array.isArray(value)) {
      for (const v of value) assert.equal(typeof v, "string");
    } else assert.ok(value === null || typeof value === "string", key);
  }
}

Deno.test("encodeLookupRequest() sends the MAC as base64 of its bytes", () => {
  assert.deepEqual(
    encodeLookupRequest("08:00:27:29:4e:67", "00-aa-bb-01"),
    { MacAddress: "CAAnKU5n", Traceparent: "00-aa-bb-01" },
  );
  assert.deepEqual(encodeLookupRequest("08:00:27:29:4E:67"), {
    MacAddress: "CAAnKU5n",
    Traceparent: "",
  });
  assert.throws(() => encodeLookupRequest("not a mac"), TypeError);
});

Deno.test("decodeLookupRequest() reads both Go generations and colon MACs", () => {
  const want = { mac: "08:00:27:29:4e:67", traceparent: "" };
  assert.deepEqual(decodeLookupRequest({ MacAddress: "CAAnKU5n" }), want);
  assert.deepEqual(
    decodeLookupRequest({ MACAddress: "CAAnKU5n", Traceparent: "" }),
    want,
  );
  assert.deepEqual(
    decodeLookupRequest({ macaddress: "08:00:27:29:4E:67" }),
    want,
  );
  assert.deepEqual(
    decodeLookupRequest({
      MACADDRESS: "08-00-27-29-4e-67",
      traceparent: "00-x",
    }),
    { ...want, traceparent: "00-x" },
  );
  // Round trip of what we send.
  assert.deepEqual(
    decodeLookupRequest(encodeLookupRequest("aa:bb:cc:dd:ee:ff", "t")),
    { mac: "aa:bb:cc:dd:ee:ff", traceparent: "t" },
  );
});

Deno.test("decodeLookupRequest() rejects data without a readable MAC", () => {
  for (
    const [data, pattern] of [
      [null, /not a JSON object/],
      ["CAAnKU5n", /not a JSON object/],
      [{}, /MacAddress is missing/],
      [{ MacAddress: 42 }, /MacAddress is missing or not a string/],
      [{ MacAddress: "zz:zz" }, /neither base64 nor colon hex/],
      [{ MacAddress: "!!!" }, /neither base64 nor colon hex/],
    ] as const
  ) {
    assert.throws(() => decodeLookupRequest(data), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, pattern);
      return true;
    });
  }
});

Deno.test("decodeLookupReply() reads Go's v2 reply", () => {
  assert.deepEqual(decodeLookupReply(GO_V2_REPLY), EXPECTED);
});

Deno.test("decodeLookupReply() reads Go's v1 reply with netboot allowed", () => {
  assert.deepEqual(decodeLookupReply(GO_V2_REPLY.DHCP), {
    ...EXPECTED,
    netboot: { allowNetboot: true },
  });
});

Deno.test("decodeLookupReply() is lenient in key case, MAC, mask and URL forms", () => {
  const r = decodeLookupReply({
    dhcp: {
      macaddress: "CAAnKU5n",
      IPADDRESS: "192.168.2.153",
      subnetMask: "////AA==",
      NameServers: null,
      Hostname: "",
    },
    netboot: { allownetboot: true, ipxescripturl: "http://10.0.0.1/a.ipxe" },
    error: { code: 0, message: "" },
  });
  assert.deepEqual(r, {
    macAddress: "08:00:27:29:4e:67",
    ipAddress: "192.168.2.153",
    subnetMask: "255.255.255.0",
    leaseTime: 86400,
    netboot: { allowNetboot: true, ipxeScriptUrl: "http://10.0.0.1/a.ipxe" },
  });
  // A 16-byte mask (IPv4 mask in IPv6 length) and a LeaseTime of 0.
  const r2 = decodeLookupReply(
    {
      DHCP: {
        IPAddress: "10.0.0.2",
        SubnetMask: btoa(
          String.fromCharCode(...new Array(12).fill(255), 255, 255, 0, 0),
        ),
        LeaseTime: 0,
      },
    },
    { defaultLeaseTime: 600 },
  );
  assert.equal(r2?.subnetMask, "255.255.0.0");
  assert.equal(r2?.leaseTime, 600);
  assert.equal(r2?.macAddress, "");
  assert.deepEqual(r2?.netboot, { allowNetboot: false });
});

Deno.test("decodeLookupReply() returns undefined on 404", () => {
  assert.equal(
    decodeLookupReply({
      DHCP: {},
      Netboot: {},
      Error: { Code: 404, Message: "not found" },
    }),
    undefined,
  );
  assert.equal(
    decodeLookupReply(encodeLookupReply(undefined, "v2")),
    undefined,
  );
});

Deno.test("decodeLookupReply() throws BackendError on other error codes", () => {
  for (
    const error of [{ Code: 500, Message: "db down" }, {
      Code: 0,
      Message: "broken",
    }]
  ) {
    assert.throws(
      () => decodeLookupReply({ DHCP: {}, Netboot: {}, Error: error }),
      (err: unknown) => {
        assert.ok(err instanceof BackendError);
        assert.equal(err.code, error.Code);
        assert.match(err.message, new RegExp(error.Message));
        return true;
      },
    );
  }
});

Deno.test("decodeLookupReply() names the field of a malformed reply", () => {
  const cases: [unknown, string, RegExp][] = [
    ["a string", "", /not|want a JSON object/],
    [null, "", /want a JSON object/],
    [undefined, "", /the data is missing, want a JSON object/],
    [
      { IPAddress: "10.0.0.1", Hostname: { a: 1 } },
      "DHCP.Hostname",
      /is an object, want a string/,
    ],
    [[1], "", /want a JSON object/],
    [
      { ...GO_V2_REPLY.DHCP, Netboot: {} },
      "DHCP.Netboot",
      /not a known DHCP field/,
    ],
    [
      { ...GO_V2_REPLY.DHCP, Extra: 1 },
      "DHCP.Extra",
      /Go rejects unknown keys/,
    ],
    [{ DHCP: { ...GO_V2_REPLY.DHCP, extra: 1 } }, "DHCP.extra", /not a known/],
    [
      { IPAddress: "10.0.0.1", LeaseTime: "86400" },
      "DHCP.LeaseTime",
      /is a string, want a number/,
    ],
    [{ IPAddress: "10.0.0.1", LeaseTime: -1 }, "DHCP.LeaseTime", /uint32/],
    [{ IPAddress: "10.0.0.1", LeaseTime: 1.5 }, "DHCP.LeaseTime", /uint32/],
    [{ IPAddress: "10.0.0.300" }, "DHCP.IPAddress", /not a dotted-quad/],
    [{ Hostname: "x" }, "DHCP.IPAddress", /is missing/],
    [
      { IPAddress: "10.0.0.1", MACAddress: "??" },
      "DHCP.MACAddress",
      /colon hex nor base64/,
    ],
    [
      { IPAddress: "10.0.0.1", SubnetMask: "AAAA" },
      "DHCP.SubnetMask",
      /base64 of 4 or 16/,
    ],
    [
      { IPAddress: "10.0.0.1", NameServers: "8.8.8.8" },
      "DHCP.NameServers",
      /want an array/,
    ],
    [
      { IPAddress: "10.0.0.1", NameServers: ["8.8.8.8", 5] },
      "DHCP.NameServers[1]",
      /want a string/,
    ],
    [{ DHCP: "x" }, "DHCP", /want an object/],
    [
      { DHCP: { IPAddress: "10.0.0.1" }, Netboot: { AllowNetboot: "yes" } },
      "Netboot.AllowNetboot",
      /boolean/,
    ],
    [
      { DHCP: { IPAddress: "10.0.0.1" }, Netboot: { IPXEScriptURL: 7 } },
      "Netboot.IPXEScriptURL",
      /URL string or Go url.URL/,
    ],
    [
      {
        DHCP: { IPAddress: "10.0.0.1" },
        Netboot: { IPXEScriptURL: "not a url" },
      },
      "Netboot.IPXEScriptURL",
      /not a URL/,
    ],
    [
      { DHCP: { IPAddress: "10.0.0.1" }, Error: { Code: "x" } },
      "Error.Code",
      /integer/,
    ],
    [
      {
        DHCP: { IPAddress: "10.0.0.1" },
        Extensions: {
          ClasslessStaticRoutes: [{
            Destination: "10.0.0.0",
            Router: "10.0.0.1",
          }],
        },
      },
      "Extensions.ClasslessStaticRoutes[0].Destination",
      /not an IPv4 CIDR/,
    ],
  ];
  for (const [data, field, pattern] of cases) {
    assert.throws(() => decodeLookupReply(data), (err: unknown) => {
      assert.ok(
        err instanceof InvalidReplyError,
        `${JSON.stringify(data)}: ${err}`,
      );
      assert.ok(err instanceof TypeError);
      assert.equal(err.field, field, JSON.stringify(data));
      assert.match(err.message, pattern);
      assert.match(err.message, /^Invalid lookup reply: /);
      assert.doesNotMatch(err.message, /\.$/);
      return true;
    });
  }
});

Deno.test("encodeLookupReply() v2 keeps Go's rules and round-trips", () => {
  const data = encodeLookupReply(EXPECTED, "v2") as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(Object.keys(data), ["DHCP", "Netboot", "Error"]);
  assertGoDecodable(data.DHCP);
  assert.deepEqual(data.DHCP, GO_V2_REPLY.DHCP);
  assert.deepEqual(data.Netboot, GO_V2_REPLY.Netboot);
  assert.deepEqual(
    Object.keys(data.Netboot.IPXEScriptURL as object),
    GO_URL_KEYS,
  );
  assert.deepEqual(data.Error, { Code: 0, Message: "" });
  assert.deepEqual(decodeLookupReply(data), EXPECTED);
});

Deno.test("encodeLookupReply() v1 is the DHCP object alone", () => {
  const data = encodeLookupReply(EXPECTED, "v1") as Record<string, unknown>;
  assert.deepEqual(data, GO_V2_REPLY.DHCP);
  assert.equal(encodeLookupReply(undefined, "v1"), undefined);
});

Deno.test("encodeLookupReply() fills Go's zero values and a default lease", () => {
  const data = encodeLookupReply(
    { macAddress: "AA:BB:CC:DD:EE:FF", ipAddress: "10.0.0.9" },
    "v2",
  ) as Record<string, Record<string, unknown>>;
  assertGoDecodable(data.DHCP);
  assert.equal(data.DHCP.MACAddress, "aa:bb:cc:dd:ee:ff");
  assert.equal(data.DHCP.SubnetMask, "");
  assert.equal(data.DHCP.NameServers, null);
  assert.equal(data.DHCP.LeaseTime, 86400);
  assert.deepEqual(data.Netboot, { AllowNetboot: false, IPXEScriptURL: null });
  const zero = encodeLookupReply(
    { macAddress: "aa:bb:cc:dd:ee:ff", ipAddress: "10.0.0.9" },
    "v1",
    { defaultLeaseTime: 0 },
  ) as Record<string, unknown>;
  assert.equal(zero.LeaseTime, 0);
});

Deno.test("encodeLookupReply() puts per-host settings in Extensions only", () => {
  const reservation: Reservation = {
    ...EXPECTED,
    extensions: {
      classlessStaticRoutes: [{
        destination: "10.0.0.0/8",
        router: "192.168.2.254",
      }],
      tftpServerName: "192.168.2.5",
      bootFileName: "ipxe.efi",
      dhcpDisabled: true,
    },
  };
  const data = encodeLookupReply(reservation, "v2") as Record<
    string,
    Record<string, unknown>
  >;
  assertGoDecodable(data.DHCP);
  assert.deepEqual(data.Extensions, {
    ClasslessStaticRoutes: [{
      Destination: "10.0.0.0/8",
      Router: "192.168.2.254",
    }],
    TFTPServerName: "192.168.2.5",
    BootFileName: "ipxe.efi",
    DHCPDisabled: true,
  });
  assert.deepEqual(decodeLookupReply(data), reservation);
  // Unknown Extensions keys from a newer responder are ignored.
  const newer = { ...data, Extensions: { ...data.Extensions, Future: 1 } };
  assert.deepEqual(decodeLookupReply(newer), reservation);
  // v1 has no place for them.
  assert.equal(
    "Extensions" in (encodeLookupReply(reservation, "v1") as object),
    false,
  );
});

Deno.test("encodeLookupError() builds a v2 error Go drops the packet on", () => {
  const data = encodeLookupError(503, "") as {
    Error: { Code: number; Message: string };
  };
  assert.equal(data.Error.Code, 503);
  assert.notEqual(data.Error.Message, "");
  assert.throws(() => decodeLookupReply(data), BackendError);
});
