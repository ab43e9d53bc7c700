import assert from "node:assert/strict";
import {
  formatIssue,
  loadReservationFile,
  parseReservations,
  parseReservationsAsync,
  ReservationFileError,
} from "../../lib/responder/reservation_file.ts";
import { parse as yamlParse } from "yaml";
import { normalizeMac } from "../../lib/net/mac.ts";
import { seededRandom } from "../_helpers/seeded_random.ts";
import { readReservationText } from "../../lib/responder/_reader.ts";

/** The example file of tinkerbell/dhcp's file backend, shape for shape. */
const GO_EXAMPLE = `---
08:00:27:29:4E:67:
  ipAddress: '192.168.2.153'
  subnetMask: '255.255.255.0'
  defaultGateway: '192.168.2.1'
  nameServers:
  - '8.8.8.8'
  - '1.1.1.1'
  hostname: 'pxe-virtualbox'
  domainName: 'example.com'
  broadcastAddress: '192.168.2.255'
  ntpServers:
  - '132.163.96.2'
  - '132.163.96.3'
  leaseTime: 86400
  domainSearch:
  - 'example.com'
  netboot:
    allowPxe: true
    ipxeScriptUrl: 'https://boot.netboot.xyz'
52:54:00:aa:88:2a:
  ipAddress: '192.168.2.15'
  subnetMask: '255.255.255.0'
  netboot:
    allowPxe: false
`;

/** A file with one of each kind of problem. */
const MANY_ERRORS = `08:00:27:29:4E:67:
  ipAddress: '192.168.2.300'
  subnetMask: 255.255.0.255
  ipAdress: 192.168.2.4
  leaseTime: 4294967296
  hostname: 1234
  nameServers: [192.168.2.1, 8.8.8]
  netboot:
    allowPxe: yes
    ipxeScript: http://x
08-00-27-29-4e-67:
  ipAddress: 192.168.2.4
52:54:00:aa:88:2a:
  ipAddress: 192.168.2.5
  classlessStaticRoutes:
    - destination: 10.1.0.0/8
      router: 192.168.2.1
    - router: 192.168.2.1
52:54:00:AA:88:2A:
  ipAddress: 192.168.2.6
zz:
  ipAddress: 192.168.2.7
52:54:00:aa:88:2b:
  subnetMask: 255.255.255.0
  leaseTime: -1
  domainSearch: example.com
  dhcpDisabled: "true"
`;

function errorOf(text: string, file?: string): ReservationFileError {
  try {
    parseReservations(text, { file });
  } catch (err) {
    assert.ok(err instanceof ReservationFileError);
    return err;
  }
  assert.fail("expected a ReservationFileError");
}

Deno.test("parseReservations() reads the Go file backend's example format", () => {
  const map = parseReservations(GO_EXAMPLE);
  assert.equal(map.size, 2);
  assert.deepEqual(map.get("08:00:27:29:4e:67"), {
    macAddress: "08:00:27:29:4e:67",
    ipAddress: "192.168.2.153",
    subnetMask: "255.255.255.0",
    defaultGateway: "192.168.2.1",
    broadcastAddress: "192.168.2.255",
    hostname: "pxe-virtualbox",
    domainName: "example.com",
    nameServers: ["8.8.8.8", "1.1.1.1"],
    ntpServers: ["132.163.96.2", "132.163.96.3"],
    domainSearch: ["example.com"],
    leaseTime: 86400,
    netboot: { allowNetboot: true, ipxeScriptUrl: "https://boot.netboot.xyz" },
  });
  assert.deepEqual(map.get("52:54:00:aa:88:2a")?.netboot, {
    allowNetboot: false,
  });
});

Deno.test("parseReservations() reads the per-host extensions", () => {
  const map = parseReservations(`
08-00-27-29-4E-67:
  ipAddress: 192.168.2.20
  classlessStaticRoutes:
    - destination: 10.0.0.0/8
      router: 192.168.2.1
    - {destination: 172.16.0.0/12, router: 192.168.2.2}
  tftpServerName: 192.168.2.5
  bootFileName: ipxe.efi
  dhcpDisabled: true
`);
  assert.deepEqual(map.get("08:00:27:29:4e:67")?.extensions, {
    classlessStaticRoutes: [
      { destination: "10.0.0.0/8", router: "192.168.2.1" },
      { destination: "172.16.0.0/12", router: "192.168.2.2" },
    ],
    tftpServerName: "192.168.2.5",
    bootFileName: "ipxe.efi",
    dhcpDisabled: true,
  });
});

Deno.test("parseReservations() reads JSON, keys in any case", () => {
  const map = parseReservations(JSON.stringify({
    "08:00:27:29:4E:67": {
      IPAddress: "192.168.2.30",
      netboot: { allowPXE: true },
    },
  }));
  assert.deepEqual(map.get("08:00:27:29:4e:67"), {
    macAddress: "08:00:27:29:4e:67",
    ipAddress: "192.168.2.30",
    netboot: { allowNetboot: true },
  });
});

Deno.test("parseReservations() takes an empty file as no reservations", () => {
  assert.equal(parseReservations("").size, 0);
  assert.equal(parseReservations("---\n# nothing yet\n").size, 0);
});

Deno.test("parseReservations() reports every problem with MAC, field and line", () => {
  const err = errorOf(
    MANY_ERRORS,
    "hosts.yaml",
  );
  assert.deepEqual(err.issues.map((i) => formatIssue(i, "hosts.yaml")), [
    'hosts.yaml:2: 08:00:27:29:4E:67: ipAddress: "192.168.2.300" is not an IPv4 address',
    'hosts.yaml:3: 08:00:27:29:4E:67: subnetMask: "255.255.0.255" is not a subnet mask (its one bits must be contiguous)',
    'hosts.yaml:4: 08:00:27:29:4E:67: ipAdress: unknown field (did you mean "ipAddress"?)',
    "hosts.yaml:5: 08:00:27:29:4E:67: leaseTime: 4294967296 is out of range (0 to 4294967295 seconds)",
    "hosts.yaml:6: 08:00:27:29:4E:67: hostname: expected a string, got a number (1234) (quote the value)",
    'hosts.yaml:7: 08:00:27:29:4E:67: nameServers[1]: "8.8.8" is not an IPv4 address',
    'hosts.yaml:9: 08:00:27:29:4E:67: netboot.allowPxe: expected true or false, got a string ("yes")',
    'hosts.yaml:10: 08:00:27:29:4E:67: netboot.ipxeScript: expected an iPXE script, whose first line is "#!ipxe"',
    "hosts.yaml:11: 08-00-27-29-4e-67: duplicate MAC address (first defined on line 1 as 08:00:27:29:4E:67)",
    'hosts.yaml:16: 52:54:00:aa:88:2a: classlessStaticRoutes[0].destination: "10.1.0.0/8" has host bits set (did you mean "10.0.0.0/8"?)',
    "hosts.yaml:18: 52:54:00:aa:88:2a: classlessStaticRoutes[1].destination: missing",
    "hosts.yaml:19: 52:54:00:AA:88:2A: duplicate MAC address (first defined on line 13 as 52:54:00:aa:88:2a)",
    "hosts.yaml:21: zz: not a MAC address (expected hex pairs separated by ':' or '-', like 08:00:27:29:4e:67)",
    "hosts.yaml:23: 52:54:00:aa:88:2b: ipAddress: missing",
    "hosts.yaml:25: 52:54:00:aa:88:2b: leaseTime: -1 is out of range (0 to 4294967295 seconds)",
    'hosts.yaml:26: 52:54:00:aa:88:2b: domainSearch: expected a list, got a string ("example.com")',
    'hosts.yaml:27: 52:54:00:aa:88:2b: dhcpDisabled: expected true or false, got a string ("true")',
  ]);
  assert.ok(
    err.message.startsWith(
      "Cannot load reservations file hosts.yaml: 17 errors\n  hosts.yaml:2: ",
    ),
    err.message,
  );
  assert.equal(err.name, "ReservationFileError");
});

Deno.test("parseReservations() reports exact duplicate YAML keys", () => {
  const err = errorOf(
    "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.1\n" +
      "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.2\n  ipAddress: 192.168.2.3\n",
  );
  assert.deepEqual(err.issues.map((i) => formatIssue(i)), [
    "line 3: 08:00:27:29:4e:67: duplicate MAC address (first defined on line 1)",
  ]);
  const inHost = errorOf(
    "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.2\n  IPAddress: 192.168.2.3\n",
  );
  assert.deepEqual(inHost.issues.map((i) => formatIssue(i)), [
    "line 3: 08:00:27:29:4e:67: ipAddress: duplicate field (first set on line 2)",
  ]);
});

Deno.test("parseReservations() reports YAML syntax errors with their line", () => {
  const err = errorOf(
    "08:00:27:29:4e:67:\n  ipAddress: 192.168.2.1: x\n",
    "bad.yaml",
  );
  assert.equal(
    err.message,
    "Cannot load reservations file bad.yaml: 1 error\n" +
      "  bad.yaml:2: Nested mappings are not allowed in compact mappings",
  );
  const unclosed = errorOf('08:00:27:29:4e:67:\n  hostname: "abc\n');
  assert.deepEqual(unclosed.issues, [
    { line: 3, message: 'Missing closing "quote' },
  ]);
});

Deno.test("parseReservations() rejects a file that is not a mapping", () => {
  const err = errorOf("- 08:00:27:29:4e:67\n");
  assert.deepEqual(err.issues.map((i) => formatIssue(i)), [
    "line 1: expected a mapping of MAC addresses to hosts, got a list",
  ]);
  const host = errorOf("08:00:27:29:4e:67: 192.168.2.1\n");
  assert.deepEqual(host.issues.map((i) => formatIssue(i)), [
    'line 1: 08:00:27:29:4e:67: expected a mapping of fields, got a string ("192.168.2.1")',
  ]);
});

Deno.test("parseReservations() error message lists 20 issues then a summary", () => {
  let text = "";
  for (let i = 0; i < 25; i++) {
    text += `02:00:00:00:00:${
      i.toString(16).padStart(2, "0")
    }:\n  ipAddress: 10.0.0.${256 + i}\n`;
  }
  const err = errorOf(text, "f.yaml");
  assert.equal(err.issues.length, 25);
  const lines = err.message.split("\n");
  assert.equal(lines.length, 22);
  assert.equal(lines[21], "  ... and 5 more");
});

Deno.test("normalizeMac() accepts colon and dash forms in any case only", () => {
  assert.equal(normalizeMac("08:00:27:29:4E:67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("08-00-27-29-4e-67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("08:00-27:29:4e:67"), undefined);
  assert.equal(normalizeMac("08:00:27:29:4e"), undefined);
  assert.equal(normalizeMac("0800.2729.4e67"), undefined);
});

Deno.test("parseReservations() reads anchors, aliases and block scalars", () => {
  const map = parseReservations(
    "08:00:27:29:4e:67: &h\n  ipAddress: 192.168.2.9\n  hostname: |-\n    node9\n" +
      "08:00:27:29:4e:68: *h\n",
  );
  assert.equal(map.get("08:00:27:29:4e:67")?.hostname, "node9");
  assert.equal(map.get("08:00:27:29:4e:68")?.ipAddress, "192.168.2.9");
});

async function asyncErrorOf(text: string): Promise<ReservationFileError> {
  try {
    await parseReservationsAsync(text, { file: "hosts.yaml" });
  } catch (err) {
    assert.ok(err instanceof ReservationFileError);
    return err;
  }
  assert.fail("expected a ReservationFileError");
}

Deno.test("parseReservationsAsync() gives the same result and errors, from a Worker", async () => {
  assert.deepEqual(
    await parseReservationsAsync(GO_EXAMPLE),
    parseReservations(GO_EXAMPLE),
  );
  const err = await asyncErrorOf(MANY_ERRORS);
  assert.equal(err.message, errorOf(MANY_ERRORS, "hosts.yaml").message);
  const mixed = GO_EXAMPLE +
    "08:00:27:29:4e:99: &h\n  ipAddress: 192.168.2.99\n08:00:27:29:4e:9a: *h\n";
  const map = await parseReservationsAsync(mixed);
  assert.equal(map.get("08:00:27:29:4e:9a")?.ipAddress, "192.168.2.99");
  assert.equal(map.size, 4);
});

Deno.test("parseReservations() reads JSON fast, and reports JSON problems with lines", () => {
  const hosts = {
    "08:00:27:29:4e:67": {
      ipAddress: "192.168.2.10",
      hostname: 'a "quoted: name"',
      netboot: { allowPxe: true, ipxeScriptUrl: "http://x/a:b" },
    },
    "08:00:27:29:4e:68": { ipAddress: "192.168.2.11", nameServers: [] },
  };
  const text = JSON.stringify(hosts, null, 2);
  assert.deepEqual(
    parseReservations(text),
    parseReservations(text + "\n# as YAML\n"),
  );
  assert.equal(
    parseReservations(text).get("08:00:27:29:4e:67")?.hostname,
    'a "quoted: name"',
  );
  const duplicate =
    '{\n  "08:00:27:29:4e:67": {"ipAddress": "192.168.2.1"},\n' +
    '  "08:00:27:29:4e:67": {"ipAddress": "192.168.2.2"}\n}\n';
  assert.deepEqual(errorOf(duplicate).issues.map((i) => formatIssue(i)), [
    "line 3: 08:00:27:29:4e:67: duplicate MAC address (first defined on line 2)",
  ]);
  const bad = '{\n  "08:00:27:29:4e:67": {\n    "ipAddress": "192.168.2.1",\n' +
    '    "leaseTime": "1h"\n  }\n}\n';
  assert.deepEqual(errorOf(bad).issues.map((i) => formatIssue(i)), [
    'line 4: 08:00:27:29:4e:67: leaseTime: expected a number of seconds, got a string ("1h")',
  ]);
});

/** A file with every field kind, and layout variations. */
const EVERY_FIELD = `---
# comment
02:00:00:00:00:01:
  ipAddress: 10.0.0.1
  subnetMask: 255.255.255.0
  defaultGateway: 10.0.0.254
  nameServers:
    - 10.0.0.2
    - 10.0.0.3
  hostname: node-1
  domainName: example.com
  broadcastAddress: 10.0.0.255
  ntpServers: [10.0.0.4, 10.0.0.5]
  leaseTime: 86400
  domainSearch:
    - example.com
    - lab.example.com
  netboot:
    allowPxe: true
    ipxeScriptUrl: https://boot.example.com/a.ipxe?mac=1&x=%20

  # indented comment
  tftpServerName: tftp.example.com
  bootFileName: ipxe.efi
  dhcpDisabled: false
02-00-00-00-00-0A:
    ipAddress: 10.0.0.10
    nameServers: []
    domainSearch: [a.example,b.example ]
    netboot:
      ipxeScriptUrl: http://x/y
    dhcpDisabled: true
02:00:00:00:00:0b:
  ipAddress: 10.0.0.11
  leaseTime: 0
  netboot:
    allowPxe: false
`;

Deno.test("parseReservations() reads every field kind", () => {
  const big = parseReservations(EVERY_FIELD);
  assert.equal(big.size, 3);
  assert.deepEqual(big.get("02:00:00:00:00:0a")?.netboot, {
    allowNetboot: false,
    ipxeScriptUrl: "http://x/y",
  });
  assert.deepEqual(big.get("02:00:00:00:00:01")?.extensions, {
    tftpServerName: "tftp.example.com",
    bootFileName: "ipxe.efi",
    dhcpDisabled: false,
  });
  const crlf = parseReservations(
    "\ufeff02:00:00:00:00:01:\r\n  ipAddress: 10.0.0.1  \r\n  hostname: a\r\n",
  );
  assert.equal(crlf.get("02:00:00:00:00:01")?.ipAddress, "10.0.0.1");
});

Deno.test("parseReservations() accepts only what the yaml package reads, and reads it the same", () => {
  // Seeded random edits of a valid file: whatever the edit, a file the
  // yaml package refuses is refused, and a file accepted gives each host
  // the address, name and name servers the yaml package reads. (Anchors
  // and aliases in the edits keep some files whole.)
  const random = seededRandom(12345);
  const pieces = [
    " ",
    "\t",
    "#",
    ":",
    "-",
    "'",
    '"',
    "[",
    "]",
    ",",
    "0",
    "9",
    "A",
    "x",
    ".",
    "\n",
    "\r",
    "\n  ",
    "\n    ",
    ": ",
    "- ",
    "300",
    "true",
    "null",
    "~",
    "1e5",
    "{",
    "&a",
    "*a",
    "|",
    "\u00a0",
    "\ufeff",
    "02:00:00:00:00:01:\n  ipAddress: 1.2.3.4\n",
  ];
  let accepted = 0;
  for (let k = 0; k < 1500; k++) {
    let text = EVERY_FIELD;
    for (let edits = 1 + random(2); edits > 0; edits--) {
      const at = random(text.length);
      const cut = random(3);
      text = text.slice(0, at) + pieces[random(pieces.length)] +
        text.slice(at + cut);
    }
    let theirs: Record<string, Record<string, unknown>> | undefined;
    try {
      theirs = yamlParse(text, {
        merge: true,
        uniqueKeys: true,
        logLevel: "error",
      }) ?? {};
    } catch { /* refused by yaml */ }
    let ours: Map<string, unknown> | undefined;
    try {
      ours = parseReservations(text, { file: "f.yaml" });
    } catch (err) {
      assert.ok(err instanceof ReservationFileError, String(err));
      assert.match(err.message, /f\.yaml:[1-9]/);
    }
    // A large file is parsed in pieces of whole root entries: pieces of
    // 40 characters give what the whole file gives, problems included.
    assert.deepEqual(
      readReservationText(text, 40),
      readReservationText(text, Infinity),
      JSON.stringify(text),
    );
    if (ours === undefined) continue;
    accepted++;
    assert.ok(theirs, `accepted what yaml refuses: ${JSON.stringify(text)}`);
    for (const [key, host] of Object.entries(theirs)) {
      const r = ours.get(normalizeMac(key) ?? "") as Record<string, unknown>;
      assert.ok(r, JSON.stringify(text));
      for (const field of ["ipAddress", "hostname", "nameServers"]) {
        if (host?.[field] === null || host?.[field] === "") continue;
        assert.deepEqual(r[field], host?.[field], JSON.stringify(text));
      }
    }
  }
  assert.ok(accepted > 100, `only ${accepted} edited files were valid`);
});

Deno.test("loadReservationFile() shares identical lists and netboot settings between hosts, frozen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/hosts.yaml`;
    await Deno.writeTextFile(
      file,
      GO_EXAMPLE +
        GO_EXAMPLE.replace(/^08:00:27:29:4E:67:$/m, "08:00:27:29:4e:68:")
          .replace(/^52:54:00:aa:88:2a:$/m, "52:54:00:aa:88:2b:").replace(
            /^---$/m,
            "",
          ),
    );
    const map = await loadReservationFile(file);
    assert.equal(map.size, 4);
    const a = map.get("08:00:27:29:4e:67")!;
    const b = map.get("08:00:27:29:4e:68")!;
    assert.deepEqual(a.nameServers, ["8.8.8.8", "1.1.1.1"]);
    assert.equal(a.nameServers, b.nameServers);
    assert.ok(Object.isFrozen(a.nameServers));
    assert.throws(() => a.nameServers!.push("9.9.9.9"), TypeError);
    const c = map.get("52:54:00:aa:88:2a")!;
    assert.equal(c.netboot, map.get("52:54:00:aa:88:2b")!.netboot);
    assert.deepEqual(c.netboot, { allowNetboot: false });
    assert.deepEqual(map.get("08:00:27:29:4e:68"), {
      ...parseReservations(GO_EXAMPLE).get("08:00:27:29:4e:67"),
      macAddress: "08:00:27:29:4e:68",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
