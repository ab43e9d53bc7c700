/**
 * The VM tests' lab: one network namespace with a bridge (the server's
 * address on it) and a tap device on the bridge for QEMU; inside it
 * nats-server, a responder with the VM's reservation and our DHCP server
 * with its built-in TFTP and HTTP servers. Nothing else serves DHCP, TFTP
 * or HTTP there.
 *
 * @module
 */

import type { Reservation } from "../../lib/backend/reservation.ts";
import { BOOT_MARKER, buildBootDirectory } from "../_helpers/boot_dir.ts";
import {
  createNamespace,
  type NamespaceProcess,
  spawnDenoInNamespace,
} from "../_helpers/netns.ts";
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
  const reservation: Reservation = {
    macAddress: mac,
    ipAddress: VM_IP,
    subnetMask: "255.255.255.0",
    netboot: { allowNetboot: true },
    extensions: { ipxeScript: BOOT_SCRIPT },
  };
  await using nats = ns.spawn(
    "nats-server",
    ["-a", "127.0.0.1", "-p", "4222"],
    {
      name: "nats-server",
    },
  );
  await nats.waitForOutput(/Server is ready/, 20_000);
  await using responder = spawnDenoInNamespace(ns.name, [
    "run",
    "-A",
    `${ROOT}tests/netboot/_vm_responder.ts`,
    "nats://127.0.0.1:4222",
    JSON.stringify([reservation]),
  ], { name: "responder" });
  await responder.waitForOutput(/ready/, 60_000);
  await using server: NamespaceProcess = spawnDenoInNamespace(ns.name, [
    "run",
    "-A",
    `${ROOT}main.ts`,
    "--nats-url",
    "nats://127.0.0.1:4222",
    "--listen",
    "0.0.0.0:67",
    "--interface",
    "br0",
    ...serviceFlags(SERVER_IP, boot.dir),
    "--log-level",
    "debug",
    "--log-format",
    "json",
  ], { name: "dhcp-nats" });
  await server.waitForOutput(/DHCP server listening/, 60_000);
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
