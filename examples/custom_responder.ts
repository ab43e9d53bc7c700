/**
 * A custom responder: reservations that come from somewhere other than a
 * file. Here they are computed from the MAC address (one subnet, the host
 * part from the MAC's last octet) with a few exceptions from an environment
 * variable; a real one would ask a database, an inventory API or a CMDB.
 *
 * Run it beside a NATS server and a DHCP server:
 *
 * ```sh
 * nats-server &
 * RESERVATION_OVERRIDES='{"08:00:27:29:4e:67":"192.168.2.200"}' \
 *   deno run -A examples/custom_responder.ts nats://127.0.0.1:4222
 * ```
 *
 * Arguments: the NATS server (default `nats://127.0.0.1:4222`) and the
 * subject (default `tinkerbell.dhcp`).
 *
 * The lookup function returns a reservation, `undefined` for "unknown MAC"
 * (a 404 reply), or throws for a failure (a 500 reply, logged).
 *
 * @module
 */
import type { Reservation } from "../lib/backend/reservation.ts";
import { createLogger } from "../lib/log/logger.ts";
import { DEFAULT_NATS_URL } from "../lib/nats/urls.ts";
import { startResponder } from "../lib/responder/responder.ts";

/** Only MACs with this prefix (a lab's NIC vendor) get an address. */
const LAB_PREFIX = "08:00:27:";

/** Per-MAC IP overrides, from `RESERVATION_OVERRIDES` (a JSON object). */
const overrides = new Map<string, string>(
  Object.entries(JSON.parse(Deno.env.get("RESERVATION_OVERRIDES") ?? "{}")),
);

/**
 * The reservation of one MAC, computed.
 *
 * @param mac Lower-case colon hex.
 * @returns The reservation, or `undefined` for MACs outside the lab.
 */
export function computeReservation(mac: string): Reservation | undefined {
  if (!mac.startsWith(LAB_PREFIX)) return undefined;
  const last = parseInt(mac.slice(-2), 16);
  const host = 10 + (last % 200); // 192.168.2.10 - .209
  return {
    macAddress: mac,
    ipAddress: overrides.get(mac) ?? `192.168.2.${host}`,
    subnetMask: "255.255.255.0",
    defaultGateway: "192.168.2.1",
    nameServers: ["192.168.2.1"],
    hostname: `lab-${mac.replaceAll(":", "").slice(-6)}`,
    leaseTime: 3600,
    netboot: { allowNetboot: true },
  };
}

if (import.meta.main) {
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => controller.abort());
  }
  const responder = await startResponder({
    servers: Deno.args[0] ?? DEFAULT_NATS_URL,
    subject: Deno.args[1],
    lookup: (mac) => computeReservation(mac),
    logger: createLogger({ level: "info" }),
    signal: controller.signal,
  });
  // Runs until SIGINT/SIGTERM, then answers what it has received and exits.
  await new Promise((resolve) =>
    controller.signal.addEventListener("abort", resolve)
  );
  await responder.drain();
  console.error("Answered", responder.stats);
  Deno.exit(0);
}
