/**
 * The VM tests' lab: one network namespace with a bridge (the server's
 * address on it) and a tap device on the bridge for QEMU; inside it
 * nats-server, our responder role serving the VM's reservation (with its
 * inline iPXE script) from a reservations file, and our DHCP server
 * with its built-in TFTP and HTTP servers. Nothing else serves DHCP, TFTP
 * or HTTP there.
 *
 * @module
 */

import { BOOT_MARKER, buildBootDirectory } from "../_helpers/boot_dir.ts";
import { createNamespace, spawnDenoInNamespace } from "../_helpers/netns.ts";
import {
  NAMESPACE_NATS_URL,
  startNatsIn,
  startNetbootRoleIn,
} from "../_helpers/netboot_role.ts";
import { bootVm, type BootVmResult, type Firmware } from "../_helpers/qemu.ts";

/**
 * The flags that start the built-in TFTP and HTTP servers on `serverIp`
 * (ports 69 and 8080) serving `bootDir`, for Debian's iPXE.
 */
export function serviceFlags(serverIp: string, bootDir: string): string[] {
  return [
    "--tftp-listen",
    `${serverIp}:69`,
    "--http-listen",
    `${serverIp}:8080`,
    "--boot-dir",
    bootDir,
    // Debian's iPXE says "iPXE": it is ours, it gets the script URL.
    "--user-class",
    "iPXE",
  ];
}

/**
 * Why a boot failed: the serial console's last lines and each log's.
 *
 * @param run The boot.
 * @param logs Name, text and how many last lines of each log to show.
 */
export function explainBoot(
  run: BootVmResult,
  logs: [name: string, text: string, lines: number][],
): string {
  const tail = (text: string, n: number) =>
    text.split("\n").slice(-n).join("\n");
  return [
    `the VM did not reach the marker in ${run.ms} ms.`,
    `--- serial console (last 40 lines)\n${tail(run.serial, 40)}`,
    ...logs.map(([name, text, n]) =>
      `--- ${name} (last ${n} lines)\n${tail(text, n)}`
    ),
  ].join("\n");
}

const ROOT = new URL("../../", import.meta.url).pathname;
const SERVER_IP = "10.77.0.1";
const VM_IP = "10.77.0.10";
const HTTP = `http://${SERVER_IP}:8080`;

/** The per-host script: kernel and initramfs from our HTTP server. */
export const BOOT_SCRIPT = [
  "#!ipxe",
  `kernel ${HTTP}/vmlinuz initrd=initrd.img console=ttyS0 panic=-1`,
  `initrd ${HTTP}/initrd.img`,
  "boot",
  "",
].join("\n");

/** What one VM boot left behind, for the assertions and the report. */
export interface LabRun extends BootVmResult {
  /** The DHCP server role's log (JSON lines). */
  serverLog: string;
}

/**
 * Build the boot directory and the lab, boot one VM, tear everything down.
 *
 * @param firmware `bios` or `uefi`.
 * @param timeoutMs Give the boot this long.
 */
export async function bootInLab(
  firmware: Firmware,
  timeoutMs: number,
): Promise<LabRun> {
  await using boot = await buildBootDirectory();
  await using ns = await createNamespace("nb");
  const sh = (cmd: string) => ns.run("sh", ["-c", cmd]);
  await sh(
    [
      "ip link add br0 type bridge",
      `ip addr add ${SERVER_IP}/24 dev br0`,
      "ip link set br0 up",
      "ip tuntap add dev tap0 mode tap",
      "ip link set tap0 master br0",
      "ip link set tap0 up",
    ].join(" && "),
  );
  const mac = firmware === "bios" ? "52:54:00:4e:b1:05" : "52:54:00:4e:e1:f1";
  // The reservations file our responder role serves (JSON is accepted
  // as well as YAML); the script travels as Extensions.IPXEScript.
  const reservations = await Deno.makeTempFile({
    prefix: "dhcp-nats-vm-",
    suffix: ".json",
  });
  await using _file = {
    [Symbol.asyncDispose]: () => Deno.remove(reservations),
  };
  await Deno.writeTextFile(
    reservations,
    JSON.stringify({
      [mac]: {
        ipAddress: VM_IP,
        subnetMask: "255.255.255.0",
        netboot: { allowPxe: true, ipxeScript: BOOT_SCRIPT },
      },
    }),
  );
  await using _nats = await startNatsIn(ns.name);
  await using responder = spawnDenoInNamespace(ns.name, [
    "run",
    "-A",
    `${ROOT}main.ts`,
    "--responder",
    "--reservations",
    reservations,
    "--nats-url",
    NAMESPACE_NATS_URL,
  ], { name: "responder" });
  await responder.waitForOutput(/responder ready/, 60_000);
  await using server = await startNetbootRoleIn(ns.name, {
    listen: "0.0.0.0:67",
    tftp: `${SERVER_IP}:69`,
    http: `${SERVER_IP}:8080`,
    bootDir: boot.dir,
    extra: [
      "--interface",
      "br0",
      // Debian's iPXE says "iPXE": it is ours, it gets the script URL.
      "--user-class",
      "iPXE",
      "--log-level",
      "debug",
      "--log-format",
      "json",
    ],
  });
  const result = await bootVm({
    namespace: ns.name,
    tap: "tap0",
    mac,
    firmware,
    marker: BOOT_MARKER,
    timeoutMs,
  });
  return { ...result, serverLog: server.output() };
}
