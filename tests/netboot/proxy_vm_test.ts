/**
 * proxyDHCP with real firmware under QEMU (TCG): dnsmasq on the link gives
 * the VM an address from its range (no boot options, no reservation for
 * the VM); our server runs with --proxy beside it, with its built-in TFTP
 * and HTTP servers, and the VM boots the kernel to the marker.
 */
import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { BOOT_MARKER, buildBootDirectory } from "../_helpers/boot_dir.ts";
import { canCreateNamespaces } from "../_helpers/netns.ts";
import { createProxyLab, OUR_IP } from "../_helpers/proxy_lab.ts";
import { bootVm, type Firmware } from "../_helpers/qemu.ts";
import { BOOT_SCRIPT, explainBoot, serviceFlags } from "./_vm_lab.ts";

// Under TCG a boot takes tens of seconds to a few minutes; EDK2 and iPXE
// also wait 2-4 s for proxy offers.
const BOOT_LIMIT_MS = 6 * 60_000;
// The netboot lab's address and port: its BOOT_SCRIPT fits.
const HTTP = `http://${OUR_IP}:8080`;

/**
 * Boot one VM in the proxy lab. `script`: the host's script as a URL to a
 * file in the boot directory, or inline (served on /ipxe-script/<mac> to
 * the address dnsmasq gave, recognised by its MAC).
 */
async function proxyBoot(
  firmware: Firmware,
  mac: string,
  script: "url" | "inline",
) {
  await using boot = await buildBootDirectory();
  await Deno.writeTextFile(`${boot.dir}/proxy-boot.ipxe`, BOOT_SCRIPT);
  const reservation: Reservation = {
    macAddress: mac,
    // The address is dnsmasq's to give; ours is never offered.
    ipAddress: "10.77.0.250",
    netboot: {
      allowNetboot: true,
      ...(script === "url" && { ipxeScriptUrl: `${HTTP}/proxy-boot.ipxe` }),
    },
    ...(script === "inline" && { extensions: { ipxeScript: BOOT_SCRIPT } }),
  };
  await using lab = await createProxyLab([reservation]);
  const dnsmasq = await lab.startAddressServer();
  const tap = await lab.addTap();
  const ours = await lab.startOurs([
    "--proxy",
    ...serviceFlags(OUR_IP, boot.dir),
  ]);
  const result = await bootVm({
    namespace: lab.lab.name,
    tap,
    mac,
    firmware,
    marker: BOOT_MARKER,
    timeoutMs: BOOT_LIMIT_MS,
  });
  const explain = explainBoot(result, [
    ["dhcp-nats log", ours.output(), 40],
    ["dnsmasq", dnsmasq.process.output(), 20],
  ]);
  return {
    ...result,
    explain,
    serverLog: ours.output(),
    dnsmasqLog: dnsmasq.process.output(),
  };
}

/** Our replies, one line each, for the test output. */
function replies(log: string): string {
  return log.split("\n").filter((l) => l.includes('"msg":"reply"')).map(
    (l) => {
      const j = JSON.parse(l);
      return `  ${j.type} -> ${j.reply} to ${j.to} file ${j.bootFile}`;
    },
  ).join("\n");
}

function logged(text: string, pattern: RegExp): boolean {
  return text.split("\n").some((l) => pattern.test(l));
}

Deno.test({
  name:
    "proxy VM - a UEFI VM (OVMF, EDK2 PXE) gets dnsmasq's address and our proxy offer, fetches ipxe.efi and its script from us, and boots the kernel",
  ignore: !canCreateNamespaces(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const mac = "52:54:00:9e:e1:f1";
    const run = await proxyBoot("uefi", mac, "url");
    console.log(`UEFI proxyDHCP boot to marker: ${run.ms} ms`);
    console.log(replies(run.serverLog));
    assert.ok(run.reached, run.explain);
    // The address came from dnsmasq's range, never from us.
    assert.match(
      run.dnsmasqLog,
      new RegExp(`DHCPACK.*10\\.77\\.0\\.1[0-5]\\d ${mac}`),
    );
    assert.ok(!logged(run.serverLog, /"ip":"10\.77\.0\.250"/));
    assert.ok(
      logged(
        run.serverLog,
        /"msg":"tftp transfer".*"file":"ipxe.efi".*"status":"done"/,
      ),
    );
    assert.ok(
      logged(run.serverLog, /"path":"\/proxy-boot.ipxe".*"status":200/),
    );
    assert.ok(logged(run.serverLog, /"path":"\/vmlinuz".*"status":200/));
  },
});

Deno.test({
  name:
    "proxy VM - a BIOS VM (SeaBIOS, iPXE ROM) gets dnsmasq's address and our proxy offer with its per-host script URL, gets the inline script from our HTTP server (recognised by its MAC), and boots the kernel",
  ignore: !canCreateNamespaces(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const mac = "52:54:00:9e:b1:05";
    const run = await proxyBoot("bios", mac, "inline");
    console.log(`BIOS proxyDHCP boot to marker: ${run.ms} ms`);
    console.log(replies(run.serverLog));
    assert.ok(run.reached, run.explain);
    assert.match(
      run.dnsmasqLog,
      new RegExp(`DHCPACK.*10\\.77\\.0\\.1[0-5]\\d ${mac}`),
    );
    assert.ok(
      logged(
        run.serverLog,
        /"path":"\/ipxe-script\/52-54-00-9e-b1-05".*"status":200/,
      ),
    );
    assert.ok(logged(run.serverLog, /"path":"\/vmlinuz".*"status":200/));
  },
});
