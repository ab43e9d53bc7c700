/**
 * The reservations-file cases of issue 13, found by differential tests
 * against the `yaml` package: each invalid file is refused with file:line,
 * each valid one read as `yaml` reads it.
 */
import assert from "node:assert/strict";
import {
  formatIssue,
  MAX_DEPTH,
  MAX_FILE_BYTES,
  MAX_HOSTS,
  parseReservations,
  readHostValue,
  ReservationFileError,
} from "../../lib/responder/reservation_file.ts";
import { aliasBomb } from "./_files.ts";

const HOST = "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.10\n";

/** The issues of a refused file, as `f.yaml:line: ...` lines. */
function refused(text: string): string[] {
  try {
    parseReservations(text, { file: "f.yaml" });
  } catch (err) {
    assert.ok(err instanceof ReservationFileError, String(err));
    const lines = err.issues.map((i) => formatIssue(i, "f.yaml"));
    for (const line of lines) assert.match(line, /^f\.yaml:[1-9][0-9]*: /);
    return lines;
  }
  assert.fail(`accepted ${JSON.stringify(text)}`);
}

Deno.test("reservations - an alias bomb is refused in well under a second", () => {
  const started = performance.now();
  const issues = refused(HOST + aliasBomb());
  const ms = performance.now() - started;
  assert.ok(
    issues.some((i) =>
      /aliases expand to more than [0-9]+ nodes .* resource exhaustion/.test(i)
    ),
    issues.join("\n"),
  );
  // The limit is a node budget proportional to the file (a few thousand
  // nodes here): even a loaded machine converts that in milliseconds.
  assert.ok(ms < 1000, `took ${ms} ms`);
});

Deno.test("reservations - a field key without ':' is a syntax error with its line", () => {
  assert.deepEqual(refused(HOST + "  netboot\n    allowPxe: true\n"), [
    "f.yaml:3: Implicit keys need to be on a single line",
  ]);
});

Deno.test("reservations - an undefined alias is an error, not null", () => {
  assert.deepEqual(
    refused(HOST + "  subnetMask: *mask\n"),
    [
      "f.yaml:3: 08:00:27:29:4e:67: undefined alias *mask (its anchor &mask must be set before it)",
    ],
  );
  assert.deepEqual(refused(HOST + "  <<: *base\n"), [
    "f.yaml:3: 08:00:27:29:4e:67: undefined alias *base (its anchor &base must be set before it)",
  ]);
});

Deno.test("reservations - invisible characters are kept, not trimmed", () => {
  assert.deepEqual(refused(HOST + "  hostname\u00a0: box\n"), [
    'f.yaml:3: 08:00:27:29:4e:67: "hostname\\u00a0": unknown field (did you mean "hostname"?)',
  ]);
  assert.deepEqual(
    refused("08:00:27:29:4e:67:\n  ipAddress: 192.168.2.10\u3000\n"),
    [
      'f.yaml:2: 08:00:27:29:4e:67: ipAddress: "192.168.2.10\u3000" is not an IPv4 address',
    ],
  );
  assert.deepEqual(
    refused(HOST + "08:00:27:29:4e:68\ufeff:\n  ipAddress: 1.2.3.4\n"),
    [
      `f.yaml:3: "08:00:27:29:4e:68\\ufeff": not a MAC address (expected hex pairs separated by ':' or '-', like 08:00:27:29:4e:67)`,
    ],
  );
  const map = parseReservations(HOST + "  hostname: box\u00a0\n");
  assert.equal(map.get("08:00:27:29:4e:67")?.hostname, "box\u00a0");
});

Deno.test("reservations - a flow item with ':' is a mapping, refused where a string is expected", () => {
  assert.deepEqual(refused(HOST + "  domainSearch: [example.com:]\n"), [
    "f.yaml:3: 08:00:27:29:4e:67: domainSearch[0]: expected a string, got a mapping",
  ]);
});

Deno.test("reservations - a plain value cannot start with ','", () => {
  assert.deepEqual(refused(HOST + "  hostname: ,box\n"), [
    "f.yaml:3: Plain value cannot start with flow indicator character ,",
  ]);
});

Deno.test("reservations - list items that are not strings are refused", () => {
  assert.deepEqual(
    refused(HOST + "  nameServers: [192.168.2.1, [192.168.2.2], 7]\n"),
    [
      "f.yaml:3: 08:00:27:29:4e:67: nameServers[1]: expected a string, got a list",
      "f.yaml:3: 08:00:27:29:4e:67: nameServers[2]: expected a string, got a number (7) (quote the value)",
    ],
  );
});

Deno.test("reservations - a valid alias works as a MAC key", () => {
  const map = parseReservations(
    "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.10\n  hostname: &next 08:00:27:29:4e:68\n" +
      "*next :\n  ipAddress: 192.168.2.11\n",
  );
  assert.equal(map.get("08:00:27:29:4e:68")?.ipAddress, "192.168.2.11");
});

Deno.test("reservations - keys that are not MACs are refused, whatever they are", () => {
  assert.deepEqual(refused(HOST + "? [a, b]\n: {ipAddress: 1.2.3.4}\n"), [
    "f.yaml:3: a key must be a text, got a list",
  ]);
  assert.deepEqual(refused(HOST + "1234: {ipAddress: 1.2.3.4}\n"), [
    "f.yaml:3: 1234: not a MAC address (expected hex pairs separated by ':' or '-', like 08:00:27:29:4e:67)",
  ]);
});

Deno.test("reservations - a cyclic alias is refused with its line", () => {
  assert.deepEqual(
    refused(
      "08:00:27:29:4e:67: &h\n  ipAddress: 192.168.2.10\n  netboot: *h\n",
    ),
    [
      "f.yaml:3: 08:00:27:29:4e:67: cyclic alias (an alias inside the node it names)",
    ],
  );
});

Deno.test("reservations - merge keys share settings, written keys win", () => {
  const map = parseReservations(`
08:00:27:29:4e:67: &rack1
  ipAddress: 192.168.2.10
  subnetMask: 255.255.255.0
  defaultGateway: 192.168.2.1
  nameServers: [192.168.2.1]
  hostname: first
08:00:27:29:4e:68:
  <<: *rack1
  ipAddress: 192.168.2.11
  hostname: second
08:00:27:29:4e:69:
  ipAddress: 192.168.2.12
  <<: [{defaultGateway: 192.168.2.254, leaseTime: 60}, *rack1]
`);
  assert.deepEqual(map.get("08:00:27:29:4e:68"), {
    macAddress: "08:00:27:29:4e:68",
    ipAddress: "192.168.2.11",
    subnetMask: "255.255.255.0",
    defaultGateway: "192.168.2.1",
    nameServers: ["192.168.2.1"],
    hostname: "second",
  });
  const third = map.get("08:00:27:29:4e:69");
  assert.equal(third?.ipAddress, "192.168.2.12");
  assert.equal(third?.defaultGateway, "192.168.2.254");
  assert.equal(third?.leaseTime, 60);
  assert.equal(third?.hostname, "first");
  assert.deepEqual(
    refused(HOST + "08:00:27:29:4e:68:\n  <<: [1]\n  ipAddress: 1.2.3.4\n"),
    [
      "f.yaml:4: 08:00:27:29:4e:68: a merge key (<<) takes a mapping, an alias of one, or a list of them",
    ],
  );
  // A merged value is validated like a written one, at its own line.
  assert.deepEqual(
    refused(
      "08:00:27:29:4e:67: &a\n  ipAddress: 192.168.2.10\n  leaseTime: x\n" +
        "08:00:27:29:4e:68:\n  <<: *a\n",
    ),
    [
      'f.yaml:3: 08:00:27:29:4e:67: leaseTime: expected a number of seconds, got a string ("x")',
      'f.yaml:3: 08:00:27:29:4e:68: leaseTime: expected a number of seconds, got a string ("x")',
    ],
  );
});

Deno.test("reservations - netboot.ipxeScript is an inline script of at most 64 KiB", () => {
  const map = parseReservations(
    HOST + "  netboot:\n    allowPxe: true\n    ipxeScript: |\n" +
      "      #!ipxe\n      chain http://boot.example.com/x\n",
  );
  const r = map.get("08:00:27:29:4e:67");
  assert.equal(
    r?.extensions?.ipxeScript,
    "#!ipxe\nchain http://boot.example.com/x\n",
  );
  assert.deepEqual(r?.netboot, { allowNetboot: true });
  const big = "#!ipxe\n" + "x".repeat(64 * 1024);
  assert.deepEqual(
    refused(
      HOST + `  netboot:\n    ipxeScript: "chain x"\n` +
        `08:00:27:29:4e:68:\n  ipAddress: 1.2.3.4\n  netboot: {ipxeScript: ${
          JSON.stringify(big)
        }}\n`,
    ),
    [
      'f.yaml:4: 08:00:27:29:4e:67: netboot.ipxeScript: expected an iPXE script, whose first line is "#!ipxe"',
      "f.yaml:7: 08:00:27:29:4e:68: netboot.ipxeScript: the script has 65543 bytes, more than 65536",
    ],
  );
});

Deno.test("reservations - resource limits are errors with a line", () => {
  const deep = "[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH);
  assert.deepEqual(refused(HOST + `  nameServers: ${deep}\n`), [
    `f.yaml:3: 08:00:27:29:4e:67: nested deeper than ${MAX_DEPTH} levels`,
  ]);
  const deeper = "[".repeat(100_000) + "]".repeat(100_000);
  assert.match(refused(HOST + `  nameServers: ${deeper}\n`)[0], /^f\.yaml:3:/);
  assert.deepEqual(refused(" ".repeat(MAX_FILE_BYTES + 1)), [
    `f.yaml:1: the file has ${
      MAX_FILE_BYTES + 1
    } bytes, more than ${MAX_FILE_BYTES}; put large inventories in JSON files, or in a KV store`,
  ]);
  const hosts: Record<string, object> = {};
  for (let i = 0; i <= MAX_HOSTS; i++) hosts[`k${i}`] = {};
  assert.deepEqual(refused(JSON.stringify(hosts)), [
    `f.yaml:1: the file has more than ${MAX_HOSTS} entries; split it, or put large inventories in a KV store`,
  ]);
});

Deno.test("reservations - a deeply nested JSON file is refused with a line", () => {
  const deep = "[".repeat(5000) + "]".repeat(5000);
  const lines = refused(
    `{\n  "08:00:27:29:4e:67": {\n    "ipAddress": "1.2.3.4",\n    "nameServers": ${deep}\n  }\n}\n`,
  );
  assert.match(lines[0], /^f\.yaml:4: /);
});

Deno.test("readHostValue() validates one KV value by the file's rules", () => {
  const ok = readHostValue(
    "08-00-27-29-4E-67",
    {
      ipAddress: "192.168.2.10",
      netboot: { allowPxe: true, ipxeScript: "#!ipxe\nexit\n" },
    },
    "kv hosts/08-00-27-29-4e-67",
  );
  assert.deepEqual(ok, {
    reservation: {
      macAddress: "08:00:27:29:4e:67",
      ipAddress: "192.168.2.10",
      netboot: { allowNetboot: true },
      extensions: { ipxeScript: "#!ipxe\nexit\n" },
    },
    issues: [],
  });
  const bad = readHostValue(
    "08-00-27-29-4E-67",
    { ipAddres: "192.168.2.10", leaseTime: -1 },
    "kv hosts/08-00-27-29-4e-67",
  );
  assert.equal(bad.reservation, undefined);
  assert.deepEqual(bad.issues.map((i) => formatIssue(i)), [
    'kv hosts/08-00-27-29-4e-67: 08-00-27-29-4E-67: ipAddres: unknown field (did you mean "ipAddress"?)',
    "kv hosts/08-00-27-29-4e-67: 08-00-27-29-4E-67: leaseTime: -1 is out of range (0 to 4294967295 seconds)",
    "kv hosts/08-00-27-29-4e-67: 08-00-27-29-4E-67: ipAddress: missing",
  ]);
  const notMac = readHostValue("zz", {}, "kv hosts/zz");
  assert.match(formatIssue(notMac.issues[0]), /^kv hosts\/zz: zz: not a MAC/);
  const notMap = readHostValue("08:00:27:29:4e:67", "x", "kv hosts/a");
  assert.match(
    formatIssue(notMap.issues[0]),
    /expected a mapping of fields, got a string/,
  );
});

Deno.test("reservations - a large file is read in pieces, or whole when aliases cross them", () => {
  const host = (i: number) =>
    `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }:\n  ipAddress: 10.0.${i >> 8}.${i & 255}\n  hostname: node-${i}\n`;
  const hosts = Array.from({ length: 6000 }, (_, i) => host(i + 1)).join("");
  assert.ok(hosts.length > 256 * 1024);
  const plain = parseReservations(hosts);
  assert.equal(plain.size, 6000);
  assert.equal(plain.get("02:00:00:00:17:70")?.hostname, "node-6000");
  const withBase = "02:00:00:00:00:00: &base\n  ipAddress: 10.1.0.0\n" +
    "  subnetMask: 255.255.0.0\n" + hosts +
    "02:00:00:00:ff:ff:\n  <<: *base\n  ipAddress: 10.1.255.255\n";
  const merged = parseReservations(withBase);
  assert.equal(merged.get("02:00:00:00:ff:ff")?.subnetMask, "255.255.0.0");
  // Three lines per host: the bad address is on line 6000 * 3 + 2.
  assert.deepEqual(refused(hosts + "02:00:00:00:ff:fe:\n  ipAddress: x\n"), [
    'f.yaml:18002: 02:00:00:00:ff:fe: ipAddress: "x" is not an IPv4 address',
  ]);
});
