import assert from "node:assert/strict";
import { type Config, parseConfig, UsageError } from "../../lib/cli/config.ts";

function config(args: string[], env: Record<string, string> = {}): Config {
  const cmd = parseConfig(args, env);
  assert.equal(cmd.kind, "run");
  return (cmd as { config: Config }).config;
}

function usage(args: string[], env: Record<string, string> = {}): string {
  assert.throws(() => parseConfig(args, env), UsageError);
  try {
    parseConfig(args, env);
  } catch (error) {
    return (error as UsageError).message;
  }
  return "";
}

Deno.test("parseConfig() --proxy and --proxy-all turn proxyDHCP on, from flags or the environment", () => {
  assert.equal(config([]).proxy, false);
  assert.equal(config(["--proxy"]).proxy, true);
  assert.equal(config(["--proxy-all"]).proxyAll, true);
  assert.equal(config([], { DHCP_NATS_PROXY: "true" }).proxy, true);
  assert.equal(config([], { DHCP_NATS_PROXY_ALL: "1" }).proxyAll, true);
});

Deno.test("parseConfig() refuses both proxy modes, a proxy without netboot, and proxy flags on the responder", () => {
  assert.match(
    usage(["--proxy", "--proxy-all"]),
    /give --proxy .* or --proxy-all/,
  );
  assert.match(usage(["--proxy", "--no-netboot"]), /drop --no-netboot/);
  assert.match(
    usage(["--proxy-all"], { DHCP_NATS_NETBOOT: "false" }),
    /drop --no-netboot/,
  );
  assert.match(
    usage(["--responder", "--reservations", "r.yaml", "--proxy"]),
    /--proxy is a setting of the DHCP server/,
  );
});
