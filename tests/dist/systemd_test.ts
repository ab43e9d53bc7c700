/**
 * The systemd units of examples/systemd: valid for `systemd-analyze verify`,
 * sandboxed, and configured through an environment file that parseConfig
 * accepts for each role.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { SETTINGS } from "../../lib/cli/settings.ts";
import { dhcpServerV8Flags } from "../../lib/server/v8_flags.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const UNITS = `${ROOT}examples/systemd`;
const BINARY = "/usr/local/bin/dhcp-nats";
const ENV_FILE = "/etc/dhcp-nats/dhcp-nats.env";
const decoder = new TextDecoder();

/** Each unit and the role its command line runs. */
const ROLES = {
  "dhcp-nats.service": "dhcp",
  "dhcp-nats-responder.service": "responder",
  "dhcp-nats-server.service": "server",
} as const;

type UnitName = keyof typeof ROLES;

/** The `[Service]` settings of a unit (a key set twice keeps the last). */
async function serviceSettings(unit: string): Promise<Map<string, string>> {
  const text = await Deno.readTextFile(`${UNITS}/${unit}`);
  const service = text.split(/^\[/m).find((s) => s.startsWith("Service]"));
  assert.ok(service, `${unit} has no [Service] section`);
  const settings = new Map<string, string>();
  for (const line of service.split("\n").slice(1)) {
    const m = line.match(/^([A-Za-z]+)=(.*)$/);
    if (m) settings.set(m[1], m[2]);
  }
  return settings;
}

/** The environment file as variables (comments and blank lines skipped). */
async function envFile(): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(`${UNITS}/dhcp-nats.env`);
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = line.match(/^([A-Z_]+)=(.*)$/);
    assert.ok(m, `not NAME=value: ${line}`);
    env[m[1]] = m[2];
  }
  return env;
}

Deno.test("systemd - examples/systemd holds the three units and the environment file", () => {
  const files = [...Deno.readDirSync(UNITS)].map((e) => e.name).sort();
  assert.deepEqual(files, [...Object.keys(ROLES), "dhcp-nats.env"].sort());
});

Deno.test("systemd - systemd-analyze verify passes on each unit", async () => {
  // verify needs the ExecStart binary to exist: point the units at a stand-in.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/dhcp-nats`, "#!/bin/sh\n", {
      mode: 0o755,
    });
    const units: string[] = [];
    for (const unit of Object.keys(ROLES)) {
      const text = await Deno.readTextFile(`${UNITS}/${unit}`);
      assert.ok(text.includes(`ExecStart=${BINARY}`), unit);
      await Deno.writeTextFile(
        `${dir}/${unit}`,
        text.replaceAll(BINARY, `${dir}/dhcp-nats`),
      );
      units.push(`${dir}/${unit}`);
    }
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", "--man=no", ...units],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = decoder.decode(out.stdout) + decoder.decode(out.stderr);
    assert.equal(out.code, 0, output);
    // Unknown keys are only warnings: there must be none about our units.
    const ours = output.split("\n").filter((l) => l.includes(dir));
    assert.deepEqual(ours, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("systemd - each unit runs as a dynamic user, sandboxed, with only the DHCP server's capabilities", async () => {
  for (const unit of Object.keys(ROLES) as UnitName[]) {
    const s = await serviceSettings(unit);
    assert.equal(s.get("EnvironmentFile"), ENV_FILE, unit);
    for (
      const [key, value] of [
        ["DynamicUser", "yes"],
        ["NoNewPrivileges", "yes"],
        ["ProtectSystem", "strict"],
        ["ProtectHome", "yes"],
        ["PrivateTmp", "yes"],
      ]
    ) {
      assert.equal(s.get(key), value, `${unit}: ${key}`);
    }
    assert.equal(s.has("User"), false, `${unit}: a fixed User=`);
    const capabilities = ROLES[unit] === "dhcp"
      ? "CAP_NET_BIND_SERVICE CAP_NET_RAW"
      : "";
    assert.equal(s.get("CapabilityBoundingSet"), capabilities, unit);
    assert.equal(s.get("AmbientCapabilities"), capabilities, unit);
  }
});

Deno.test("systemd - the environment file sets only DHCP_NATS_* settings, and each unit's command line parses with it", async () => {
  const env = await envFile();
  const known = new Set(SETTINGS.map((s) => s.env));
  for (const name of Object.keys(env)) {
    assert.ok(known.has(name), `${name} is not a setting`);
    // The role comes from the unit's command line.
    assert.ok(
      name !== "DHCP_NATS_SERVER" && name !== "DHCP_NATS_RESPONDER",
      name,
    );
  }
  for (const [unit, role] of Object.entries(ROLES)) {
    const exec = (await serviceSettings(unit)).get("ExecStart")!;
    const [binary, ...args] = exec.split(" ");
    assert.equal(binary, BINARY);
    const command = parseConfig(args, env);
    assert.equal(command.kind, "run", unit);
    assert.equal(command.kind === "run" && command.config.role, role, unit);
  }
});

Deno.test("systemd - the DHCP server unit starts V8 with the server's heap flags (lib/server/v8_flags.ts)", async () => {
  const text = await Deno.readTextFile(`${UNITS}/dhcp-nats.service`);
  const flags = text.match(/^Environment=DENO_V8_FLAGS=(.*)$/m)?.[1];
  assert.equal(flags, dhcpServerV8Flags());
});
