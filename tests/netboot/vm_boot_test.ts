import assert from "node:assert/strict";
import { bootInLab, explainBoot, type LabRun } from "./_vm_lab.ts";

// Under TCG (no KVM in CI) a boot takes tens of seconds to a few minutes.
const BOOT_LIMIT_MS = 6 * 60_000;

function explain(run: LabRun): string {
  return explainBoot(run, [["dhcp-nats log", run.serverLog, 40]]);
}

function logged(run: LabRun, pattern: RegExp): boolean {
  return run.serverLog.split("\n").some((l) => pattern.test(l));
}

Deno.test({
  name:
    "netboot - a BIOS VM (SeaBIOS, iPXE ROM) gets its script from our HTTP server and boots the kernel",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const run = await bootInLab("bios", BOOT_LIMIT_MS);
    console.log(`BIOS boot to marker: ${run.ms} ms`);
    assert.ok(run.reached, explain(run));
    assert.ok(
      logged(run, /"path":"\/ipxe-script\/52-54-00-4e-b1-05".*"status":200/),
    );
    assert.ok(logged(run, /"path":"\/vmlinuz".*"status":200/));
  },
});

Deno.test({
  name:
    "netboot - a UEFI VM (OVMF, EDK2 PXE) fetches ipxe.efi by TFTP, then its script, and boots the kernel",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const run = await bootInLab("uefi", BOOT_LIMIT_MS);
    console.log(`UEFI boot to marker: ${run.ms} ms`);
    // What EDK2 and iPXE asked of the TFTP server, for the record.
    for (const l of run.serverLog.split("\n")) {
      if (/"msg":"tftp (transfer|size probe)/.test(l)) console.log(l);
    }
    assert.ok(run.reached, explain(run));
    assert.ok(
      logged(run, /"msg":"tftp transfer".*"file":"ipxe.efi".*"status":"done"/),
    );
    assert.ok(
      logged(run, /"path":"\/ipxe-script\/52-54-00-4e-e1-f1".*"status":200/),
    );
  },
});
