/**
 * Run a QEMU x86-64 VM inside a network namespace, its NIC on a tap device,
 * its serial console in a file, until a marker line appears there.
 *
 * Accelerator: TCG unless `DHCP_NATS_QEMU_ACCEL` says otherwise (CI has no
 * KVM), so boots take tens of seconds to minutes.
 *
 * @module
 */

import { spawnInNamespace } from "./ns_process.ts";

/** Firmware of the VM. */
export type Firmware = "bios" | "uefi";

/** Options of {@linkcode bootVm}. */
export interface BootVmOptions {
  /** Namespace to run in. */
  namespace: string;
  /** The tap device (created beforehand, in the namespace). */
  tap: string;
  /** The NIC's MAC address. */
  mac: string;
  /**
   * `bios`: SeaBIOS with iPXE's virtio-net option ROM (iPXE does DHCP);
   * `uefi`: OVMF, virtio-net without option ROM (EDK2's own PXE client).
   */
  firmware: Firmware;
  /** The line to wait for on the serial console. */
  marker: string;
  /** Give up after this many milliseconds. */
  timeoutMs: number;
}

/** How the boot went. */
export interface BootVmResult {
  /** Whether the marker appeared. */
  reached: boolean;
  /** Milliseconds from start to the marker (or to the give-up). */
  ms: number;
  /** The serial console log. */
  serial: string;
}

const OVMF = "/usr/share/OVMF/OVMF_CODE.fd";
const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd";

/**
 * Boot a VM and wait for the marker on its serial console; the VM is
 * stopped either way.
 *
 * @param options Namespace, NIC, firmware, marker, limit.
 * @returns Whether and when the marker appeared, and the serial log.
 */
export async function bootVm(options: BootVmOptions): Promise<BootVmResult> {
  const work = await Deno.makeTempDir({ prefix: "dhcp-nats-vm-" });
  const serialPath = `${work}/serial.log`;
  const accel = Deno.env.get("DHCP_NATS_QEMU_ACCEL") ?? "tcg";
  const args = [
    "-machine",
    `q35,accel=${accel}`,
    "-m",
    "512",
    "-display",
    "none",
    "-monitor",
    "none",
    "-serial",
    `file:${serialPath}`,
    "-no-reboot",
    "-netdev",
    `tap,id=n0,ifname=${options.tap},script=no,downscript=no`,
  ];
  if (options.firmware === "bios") {
    args.push(
      "-device",
      `virtio-net-pci,netdev=n0,mac=${options.mac}`,
      "-boot",
      "n",
    );
  } else {
    await Deno.copyFile(OVMF_VARS, `${work}/vars.fd`);
    args.push(
      "-drive",
      `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF}`,
      "-drive",
      `if=pflash,format=raw,unit=1,file=${work}/vars.fd`,
      "-device",
      `virtio-net-pci,netdev=n0,mac=${options.mac},romfile=`,
    );
  }
  const began = performance.now();
  const vm = spawnInNamespace(options.namespace, "qemu-system-x86_64", args, {
    name: `qemu-${options.firmware}`,
    killAfterMs: 1000,
  });
  let serial = "";
  let reached = false;
  try {
    while (performance.now() - began < options.timeoutMs) {
      serial = await Deno.readTextFile(serialPath).catch(() => "");
      if (serial.includes(options.marker)) {
        reached = true;
        break;
      }
      if (vm.exited) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const ms = Math.round(performance.now() - began);
    serial = await Deno.readTextFile(serialPath).catch(() => serial);
    if (vm.exited && !reached) serial += `\n[qemu exited] ${vm.output()}`;
    return { reached, ms, serial };
  } finally {
    await vm.stop();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
