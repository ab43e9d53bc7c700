import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { dora } from "../../lib/client/client.ts";
import { parseConfig } from "../../lib/cli/config.ts";
import { runDhcpServer } from "../../lib/cli/run.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { startMemoryResponder } from "../_helpers/memory_responder.ts";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import { freeUdpPorts } from "../reliability/_load.ts";
import { createBootFiles } from "./_boot_files.ts";

const MAC = "08:00:27:29:4e:67";
const SCRIPT = "#!ipxe\necho netboot from one binary\n";

async function curl(url: string): Promise<Uint8Array> {
  const r = await new Deno.Command("curl", {
    args: ["-sS", "--fail", "--tftp-blksize", "1468", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(r.success, `curl ${url}: ${new TextDecoder().decode(r.stderr)}`);
  return r.stdout;
}

Deno.test("netboot - the DHCP server role starts TFTP and HTTP and points replies at them", async () => {
  await using boot = await createBootFiles();
  await Deno.copyFile(`${boot.dir}/small.bin`, `${boot.dir}/ipxe.efi`);
  await using nats = await startNatsServer();
  const reservation: Reservation = {
    macAddress: MAC,
    // The script route answers only the reservation's address; on
    // loopback that is 127.0.0.1.
    ipAddress: "127.0.0.1",
    netboot: { allowNetboot: true },
    extensions: { ipxeScript: SCRIPT },
  };
  await using _responder = await startMemoryResponder({
    url: nats.url,
    reservations: [reservation],
  });
  const [dhcpPort, tftpPort] = await freeUdpPorts(2);
  const httpPort = freePort();
  const parsed = parseConfig([
    "--nats-url",
    nats.url,
    "--listen",
    `127.0.0.1:${dhcpPort}`,
    "--tftp-listen",
    `127.0.0.1:${tftpPort}`,
    "--http-listen",
    `127.0.0.1:${httpPort}`,
    "--boot-dir",
    boot.dir,
    "--cache-ttl",
    "0",
    "--lookup-rate-per-mac",
    "0",
  ], {});
  assert.equal(parsed.kind, "run");
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const stop = new AbortController();
  const running = runDhcpServer(
    (parsed as { config: Parameters<typeof runDhcpServer>[0] }).config,
    logger,
    stop.signal,
  );
  try {
    const server = `127.0.0.1:${dhcpPort}`;
    for (
      let i = 0;
      i < 200 && !lines.some((l) => /DHCP server listening/.test(l));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // A UEFI PXE ROM: ipxe.efi from our TFTP server.
    const pxe = await dora({
      server,
      mac: MAC,
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
      arch: 7,
      timeout: 10_000,
    });
    assert.equal(pxe.bootFile, "ipxe.efi");
    assert.equal(pxe.nextServer, "127.0.0.1");
    assert.equal(pxe.tftpServerName, "127.0.0.1");
    // Stock iPXE (user class iPXE): the binary by a full TFTP URL, port included.
    const foreign = await dora({
      server,
      mac: MAC,
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
      arch: 7,
      userClass: "iPXE",
      timeout: 10_000,
    });
    assert.equal(foreign.bootFile, `tftp://127.0.0.1:${tftpPort}/ipxe.efi`);
    assert.deepEqual(
      await curl(foreign.bootFile!),
      boot.files.get("small.bin"),
    );
    // UEFI HTTP boot: the binary from our HTTP server.
    const http = await dora({
      server,
      mac: MAC,
      vendorClass: "HTTPClient:Arch:00016:UNDI:003016",
      arch: 16,
      timeout: 10_000,
    });
    assert.equal(http.bootFile, `http://127.0.0.1:${httpPort}/ipxe.efi`);
    assert.deepEqual(await curl(http.bootFile!), boot.files.get("small.bin"));
    // Our iPXE (user class Tinkerbell): the host's inline script URL.
    const ours = await dora({
      server,
      mac: MAC,
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
      arch: 7,
      userClass: "Tinkerbell",
      timeout: 10_000,
    });
    assert.equal(
      ours.bootFile,
      `http://127.0.0.1:${httpPort}/ipxe-script/08-00-27-29-4e-67`,
    );
    assert.equal(new TextDecoder().decode(await curl(ours.bootFile!)), SCRIPT);
    assert.ok(lines.some((l) => /tftp transfer/.test(l)), "TFTP logged");
    assert.ok(
      lines.some((l) => /http request .*ipxe-script.* status=200/.test(l)),
      "HTTP access log",
    );
  } finally {
    stop.abort();
    await running;
  }
});

Deno.test("netboot - --tftp-listen without --boot-dir is a usage error", () => {
  assert.throws(
    () => parseConfig(["--tftp-listen", "0.0.0.0:69"], {}),
    /--tftp-listen serves a boot directory: add --boot-dir/,
  );
  assert.throws(
    () => parseConfig(["--boot-dir", "/tmp"], {}),
    /--boot-dir is served by the built-in servers/,
  );
  const ok = parseConfig([], {
    DHCP_NATS_HTTP_LISTEN: "127.0.0.1:8080",
    DHCP_NATS_BOOT_DIR: "/usr/lib/ipxe",
  });
  assert.equal(ok.kind, "run");
  const config = (ok as { config: { httpListen?: unknown; bootDir?: string } })
    .config;
  assert.deepEqual(config.httpListen, { hostname: "127.0.0.1", port: 8080 });
  assert.equal(config.bootDir, "/usr/lib/ipxe");
});
