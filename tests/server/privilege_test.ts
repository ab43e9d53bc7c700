/**
 * Binding port 67 without the privilege fails with a message that says what
 * to do. Run as root with CAP_NET_BIND_SERVICE dropped (setpriv), for both
 * the dgram socket and the FFI interface socket.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname;

const canDropCapability = (() => {
  try {
    return Deno.uid() === 0 &&
      new Deno.Command("setpriv", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
  } catch {
    return false;
  }
})();

async function startWithoutBindCapability(options: Record<string, unknown>) {
  const out = await new Deno.Command("setpriv", {
    args: [
      "--bounding-set=-net_bind_service",
      "--inh-caps=-net_bind_service",
      "deno",
      "run",
      "-A",
      `${ROOT}tests/_helpers/run_server.ts`,
      JSON.stringify(options),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const EXPECTED =
  /^Cannot bind UDP 127\.0\.0\.1:67: permission denied; port 67 needs root or CAP_NET_BIND_SERVICE, or listen on a port like 1067 to try it$/m;

Deno.test({
  name:
    "server - port 67 without CAP_NET_BIND_SERVICE fails with what to do (dgram socket)",
  ignore: !canDropCapability,
}, async () => {
  const { code, stderr } = await startWithoutBindCapability({
    listen: "127.0.0.1:67",
  });
  assert.equal(code, 1);
  assert.match(stderr, EXPECTED);
});

Deno.test({
  name:
    "server - port 67 without CAP_NET_BIND_SERVICE fails with what to do (interface socket)",
  ignore: !canDropCapability,
}, async () => {
  const { code, stderr } = await startWithoutBindCapability({
    listen: "127.0.0.1:67",
    interface: "lo",
  });
  assert.equal(code, 1);
  assert.match(stderr, EXPECTED);
});
