import assert from "node:assert/strict";
import { parseConfig, UsageError } from "../../lib/cli/config.ts";
import type { Config, ParsedCommand } from "../../lib/cli/config.ts";
import { SETTINGS } from "../../lib/cli/settings.ts";

function run(args: string[], env: Record<string, string> = {}): Config {
  const cmd: ParsedCommand = parseConfig(args, env);
  assert.equal(cmd.kind, "run");
  return (cmd as { kind: "run"; config: Config }).config;
}

function usageError(args: string[], env: Record<string, string> = {}): string {
  try {
    parseConfig(args, env);
  } catch (err) {
    assert.ok(err instanceof UsageError, `not a UsageError: ${err}`);
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  assert.fail(`parseConfig(${JSON.stringify(args)}) did not throw`);
}

Deno.test("parseConfig() with no flags runs the DHCP server with the documented defaults", () => {
  const c = run([]);
  assert.equal(c.role, "dhcp");
  assert.deepEqual(c.natsUrl, ["nats://127.0.0.1:4222"]);
  assert.equal(c.subject, "tinkerbell.dhcp");
  assert.deepEqual(c.listen, { hostname: "0.0.0.0", port: 67 });
  assert.equal(c.timeout, 5000);
  assert.equal(c.leaseTime, 86400);
  assert.equal(c.cacheTtl, 5000);
  assert.equal(c.maxInFlight, 256);
  assert.equal(c.lookupRatePerMac, 2);
  assert.equal(c.lookupBurstPerMac, 10);
  assert.equal(c.netboot, true);
  assert.equal(c.userClass, "Tinkerbell");
  assert.equal(c.logLevel, "info");
  assert.equal(c.logFormat, "text");
  assert.equal(c.replyFormat, "v2");
  assert.equal(c.interface, undefined);
  assert.equal(c.serverIp, undefined);
});

Deno.test("parseConfig() reads every DHCP server flag", () => {
  const c = run([
    "--nats-url=nats://10.0.0.1:4222,nats://10.0.0.2:4222",
    "--subject=site1.dhcp",
    "--listen=127.0.0.1:1067",
    "--interface=eth1",
    "--server-ip=192.168.2.1",
    "--timeout=250ms",
    "--lease-time=3600",
    "--cache-ttl=0",
    "--max-in-flight=100",
    "--lookup-rate-per-mac=0",
    "--lookup-burst-per-mac=3",
    "--no-netboot",
    "--tftp-server=192.168.2.1:6969",
    "--http-ipxe-binary-url=http://192.168.2.1:8080/ipxe/",
    "--ipxe-script-url=http://192.168.2.1/auto.ipxe",
    "--user-class=Custom",
    "--log-level=debug",
    "--log-format=json",
    "--metrics-listen=127.0.0.1:9090",
  ]);
  assert.deepEqual(c.natsUrl, ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]);
  assert.equal(c.subject, "site1.dhcp");
  assert.deepEqual(c.listen, { hostname: "127.0.0.1", port: 1067 });
  assert.equal(c.interface, "eth1");
  assert.equal(c.serverIp, "192.168.2.1");
  assert.equal(c.timeout, 250);
  assert.equal(c.leaseTime, 3600);
  assert.equal(c.cacheTtl, 0);
  assert.equal(c.maxInFlight, 100);
  assert.equal(c.lookupRatePerMac, 0);
  assert.equal(c.lookupBurstPerMac, 3);
  assert.equal(c.netboot, false);
  assert.deepEqual(c.tftpServer, { hostname: "192.168.2.1", port: 6969 });
  assert.equal(c.httpIpxeBinaryUrl, "http://192.168.2.1:8080/ipxe/");
  assert.equal(c.ipxeScriptUrl, "http://192.168.2.1/auto.ipxe");
  assert.equal(c.userClass, "Custom");
  assert.equal(c.logLevel, "debug");
  assert.equal(c.logFormat, "json");
  assert.deepEqual(c.metricsListen, { hostname: "127.0.0.1", port: 9090 });
});

Deno.test("parseConfig() takes every setting from its environment variable", () => {
  const env: Record<string, string> = {
    DHCP_NATS_URL: "nats://127.0.0.1:5222",
    DHCP_NATS_SUBJECT: "env.subject",
    DHCP_NATS_TIMEOUT: "2s",
    DHCP_NATS_NETBOOT: "false",
    DHCP_NATS_TFTP_SERVER: "10.1.1.1",
    DHCP_NATS_TOKEN: "s3cret",
  };
  const c = run([], env);
  assert.deepEqual(c.natsUrl, ["nats://127.0.0.1:5222"]);
  assert.equal(c.subject, "env.subject");
  assert.equal(c.timeout, 2000);
  assert.equal(c.netboot, false);
  assert.deepEqual(c.tftpServer, { hostname: "10.1.1.1", port: 69 });
  assert.equal(c.natsToken, "s3cret");
  // Every setting has a distinct variable with the one prefix.
  const names = SETTINGS.map((s) => s.env);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^DHCP_NATS_[A-Z_]+$/);
});

Deno.test("parseConfig() prefers a flag over its environment variable, and reads NATS_URL as a fallback", () => {
  assert.equal(
    run(["--subject", "flag.s"], { DHCP_NATS_SUBJECT: "env.s" }).subject,
    "flag.s",
  );
  assert.deepEqual(run([], { NATS_URL: "nats://127.0.0.1:6222" }).natsUrl, [
    "nats://127.0.0.1:6222",
  ]);
  assert.deepEqual(
    run([], { NATS_URL: "nats://a:1", DHCP_NATS_URL: "nats://b:2" }).natsUrl,
    ["nats://b:2"],
  );
});

Deno.test("parseConfig() selects the responder and server roles", () => {
  const r = run([
    "--responder",
    "--reservations",
    "hosts.yaml",
    "--reply-format",
    "v1",
  ]);
  assert.equal(r.role, "responder");
  assert.equal(r.reservations, "hosts.yaml");
  assert.equal(r.replyFormat, "v1");
  assert.equal(r.queue, "tinkerbell-responders");
  assert.equal(run(["--server"]).role, "server");
  assert.equal(
    run([], { DHCP_NATS_RESPONDER: "1", DHCP_NATS_RESERVATIONS: "x.yaml" })
      .role,
    "responder",
  );
});

Deno.test("parseConfig() refuses --server and --responder together", () => {
  assert.match(
    usageError(["--server", "--responder"]),
    /cannot run in one process/,
  );
});

Deno.test("parseConfig() suggests the flag the user meant", () => {
  assert.match(
    usageError(["--lisen", "0.0.0.0:67"]),
    /Did you mean --listen\?/,
  );
  assert.match(usageError(["--nats-ulr", "x"]), /Did you mean --nats-url\?/);
});

Deno.test("parseConfig() rejects bad values with a message naming the flag or variable", () => {
  assert.match(
    usageError(["--listen", "abc"]),
    /Invalid --listen: "abc" is not an IPv4 address/,
  );
  assert.match(
    usageError(["--listen", "0.0.0.0:99999"]),
    /Invalid --listen: "99999" is not a port number/,
  );
  assert.match(
    usageError(["--timeout", "soon"]),
    /Invalid --timeout: "soon" is not a duration/,
  );
  assert.match(usageError(["--timeout", "0"]), /too short/);
  assert.match(usageError(["--lease-time", "-5"]), /Invalid --lease-time/);
  assert.match(usageError(["--server-ip", "1.2.3"]), /Invalid --server-ip/);
  assert.match(
    usageError(["--log-level", "loud"]),
    /not one of debug, info, warn, error/,
  );
  assert.match(
    usageError(["--ipxe-script-url", "not a url"]),
    /not an absolute URL/,
  );
  assert.match(
    usageError(["--tftp-server", "tftp.example:69"]),
    /Invalid --tftp-server/,
  );
  assert.match(usageError(["--subject", "a.*"]), /Invalid --subject/);
  assert.match(
    usageError([], { DHCP_NATS_TIMEOUT: "x" }),
    /Invalid DHCP_NATS_TIMEOUT/,
  );
  assert.match(
    usageError([], { DHCP_NATS_NETBOOT: "maybe" }),
    /DHCP_NATS_NETBOOT="maybe" is not a boolean/,
  );
});

Deno.test("parseConfig() requires --reservations for the responder and refuses settings of another role", () => {
  assert.match(
    usageError(["--responder"]),
    /needs a reservations file: add --reservations FILE/,
  );
  assert.match(
    usageError(["--reservations", "r.yaml"]),
    /--reservations is a setting of --responder, not of the DHCP server/,
  );
  assert.match(
    usageError(["--server", "--listen", "0.0.0.0:67"]),
    /--listen is a setting of the DHCP server, not of --server/,
  );
  assert.match(usageError(["--nats-user", "u"]), /go together/);
});

Deno.test("parseConfig() rejects unknown commands and extra arguments", () => {
  assert.match(usageError(["serve"]), /Unknown command "serve"/);
});

Deno.test("parseConfig() returns help and version text instead of printing", () => {
  const help = parseConfig(["--help"], {});
  assert.equal(help.kind, "output");
  const text = (help as { text: string }).text;
  for (const s of SETTINGS) {
    assert.ok(text.includes(s.flag.split(" ")[0]), `help lacks ${s.flag}`);
    assert.ok(text.includes(s.env), `help lacks ${s.env}`);
  }
  assert.deepEqual(parseConfig(["--version"], {}), {
    kind: "output",
    text: `dhcp-nats 0.1.0\ndeno ${Deno.version.deno}\nv8 ${Deno.version.v8}\n`,
  });
});

Deno.test("parseConfig() never shows a secret from the environment in help or errors", () => {
  const env = {
    DHCP_NATS_TOKEN: "tok-very-secret",
    DHCP_NATS_PASSWORD: "pw-very-secret",
  };
  const help = parseConfig(["--help"], env) as { text: string };
  assert.ok(!help.text.includes("very-secret"));
  const message = usageError(["--nats-user", "u", "--lisen"], env);
  assert.ok(!message.includes("very-secret"));
});

Deno.test("parseConfig() parses the probe command", () => {
  const p = parseConfig([
    "probe",
    "--mac",
    "08-00-27-29-4E-67",
    "--server",
    "127.0.0.1:1067",
    "--json",
  ], {});
  assert.deepEqual(p, {
    kind: "probe",
    probe: {
      mac: "08:00:27:29:4e:67",
      server: { hostname: "127.0.0.1", port: 1067 },
      json: true,
      timeout: 5000,
      arch: undefined,
      userClass: undefined,
    },
  });
  const pxe = parseConfig([
    "probe",
    "--mac",
    "08:00:27:29:4e:67",
    "--arch",
    "7",
    "--user-class",
    "Tinkerbell",
  ], {});
  assert.equal(pxe.kind === "probe" && pxe.probe.arch, 7);
  assert.equal(pxe.kind === "probe" && pxe.probe.userClass, "Tinkerbell");
  assert.match(
    usageError(["probe", "--mac", "08:00:27:29:4e:67", "--arch", "x"]),
    /Invalid --arch/,
  );
  assert.match(usageError(["probe"]), /Required option '--mac <mac>'/);
  assert.match(
    usageError(["probe", "--mac", "zz"]),
    /Invalid --mac: "zz" is not a MAC address/,
  );
});

Deno.test("parseConfig() parses the completion command", () => {
  assert.deepEqual(parseConfig(["completion", "bash"], {}), {
    kind: "completion",
    shell: "bash",
  });
  assert.deepEqual(parseConfig(["completion", "zsh"], {}), {
    kind: "completion",
    shell: "zsh",
  });
  assert.match(
    usageError(["completion", "fish"]),
    /completion supports bash and zsh/,
  );
});
