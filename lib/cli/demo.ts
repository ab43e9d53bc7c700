/**
 * `deno task example`: the embedded NATS server, a responder serving a
 * reservations file and the DHCP server, all in one process on loopback
 * ports; one probe against them, printed; then serving until Ctrl-C.
 *
 * @module
 */
import { startBroker } from "../broker/broker.ts";
import { dora } from "../client/client.ts";
import type { Logger } from "../log/logger.ts";
import { startFileResponder } from "../responder/file_responder.ts";
import { loadReservationFile } from "../responder/reservation_file.ts";
import { createLookupStack } from "../nats/lookup_stack.ts";
import { startDhcpServer } from "../server/server.ts";
import type { DemoConfig } from "./config.ts";
import { formatTable, leaseSummary, pxeClientOptions } from "./probe.ts";

/**
 * Run the demo until `signal` aborts (or right after the probe with `once`).
 *
 * @param demo Reservations file and whether to stop after the probe.
 * @param logger Where the roles log (each lookup at info).
 * @param print Where the human-facing lines go.
 * @param signal Stops the demo.
 * @throws {Error} when a role cannot start or the probe gets no lease
 */
export async function runDemo(
  demo: DemoConfig,
  logger: Logger,
  print: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  await using broker = await startBroker({
    hostname: "127.0.0.1",
    port: 0,
    logger: logger.child({ role: "server" }),
  });
  const responder = await startFileResponder({
    file: demo.reservations,
    servers: broker.url,
    logger: logger.child({ role: "responder" }),
  });
  try {
    await using lookups = createLookupStack({
      servers: broker.url,
      logger: logger.child({ role: "dhcp", component: "nats" }),
    });
    await using server = await startDhcpServer({
      listen: "127.0.0.1:0",
      serverIp: "127.0.0.1",
      backend: lookups,
      netboot: { tftpServer: "127.0.0.1:69" },
      logger: logger.child({ role: "dhcp" }),
    });
    await lookups.connect();
    const dhcpAddress = `127.0.0.1:${server.address.port}`;
    print(`embedded NATS server  ${broker.url}`);
    print(
      `responder             ${demo.reservations} (${responder.store.size} hosts)`,
    );
    print(`DHCP server           ${dhcpAddress}`);

    const hosts = await loadReservationFile(demo.reservations);
    const mac = [...hosts.values()].find((r) => !r.extensions?.dhcpDisabled)
      ?.macAddress;
    if (mac === undefined) {
      throw new Error(`${demo.reservations} has no reservations to probe`);
    }
    print(
      `\nprobe: DORA for ${mac} against ${dhcpAddress}, as an x86-64 UEFI PXE client`,
    );
    const lease = await dora({
      server: dhcpAddress,
      mac,
      timeout: 5000,
      ...pxeClientOptions(7),
    });
    print(formatTable(leaseSummary(lease)).replace(/^/gm, "  "));
    if (demo.once) return;
    print(
      `\nserving; try: deno run -A main.ts probe --mac ${mac} --server ${dhcpAddress} --arch 7` +
        "\nPress Ctrl-C to stop.",
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await responder.drain();
  }
}
