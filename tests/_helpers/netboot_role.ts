/**
 * The netboot set-up inside one network namespace, shared by the VM tests
 * and the netboot bench: nats-server on the namespace's loopback, and our
 * DHCP server role (main.ts) with its built-in TFTP and HTTP servers.
 *
 * @module
 */

import {
  type NamespaceProcess,
  spawnDenoInNamespace,
  spawnInNamespace,
} from "./ns_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The NATS URL inside the namespace. */
export const NAMESPACE_NATS_URL = "nats://127.0.0.1:4222";

/** Start nats-server on 127.0.0.1:4222 inside `ns`; resolves once ready. */
export async function startNatsIn(ns: string): Promise<NamespaceProcess> {
  const nats = spawnInNamespace(ns, "nats-server", [
    "-a",
    "127.0.0.1",
    "-p",
    "4222",
  ], { name: "nats-server" });
  await nats.waitForOutput(/Server is ready/, 20_000);
  return nats;
}

/** Where the role listens and what it serves. */
export interface NetbootRoleOptions {
  /** DHCP `--listen`. */
  listen: string;
  /** `--tftp-listen`. */
  tftp: string;
  /** `--http-listen`. */
  http: string;
  /** `--boot-dir`. */
  bootDir: string;
  /** More flags. */
  extra?: string[];
}

/**
 * Start the DHCP server role with its TFTP and HTTP servers inside `ns`,
 * against {@linkcode NAMESPACE_NATS_URL}; resolves once it listens.
 */
export async function startNetbootRoleIn(
  ns: string,
  options: NetbootRoleOptions,
): Promise<NamespaceProcess> {
  const role = spawnDenoInNamespace(ns, [
    "run",
    "-A",
    `${ROOT}main.ts`,
    "--nats-url",
    NAMESPACE_NATS_URL,
    "--listen",
    options.listen,
    "--tftp-listen",
    options.tftp,
    "--http-listen",
    options.http,
    "--boot-dir",
    options.bootDir,
    ...(options.extra ?? []),
  ], { name: "dhcp-nats" });
  try {
    await role.waitForOutput(/DHCP server listening/, 60_000);
  } catch (error) {
    await role.stop();
    throw error;
  }
  return role;
}
