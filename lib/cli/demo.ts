/**
 * `deno task example`: the embedded NATS server, a responder serving a
 * reservations file and the DHCP server, all in one process on loopback
 * ports; one probe against them, printed; then serving until Ctrl-C.
 *
 * Without `--reservations` the demo serves examples/reservations.yaml as
 * built into the program (a text import, which `deno bundle` and
 * `deno compile` both carry), so it runs from any directory.
 *
 * @module
 */
import exampleReservations from "../../examples/reservations.yaml" with {
  type: "text",
};
import { startBroker } from "../broker/broker.ts";
import { dora } from "../client/client.ts";
import type { Logger } from "../log/logger.ts";
import { startFileResponder } from "../responder/file_responder.ts";
import {
  loadReservationFile,
  parseReservations,
  type ReservationMap,
} from "../responder/reservation_file.ts";
import { startResponder } from "../responder/responder.ts";
import { ReservationStore } from "../responder/store.ts";
import { createLookupStack } from "../nats/lookup_stack.ts";
import { startDhcpServer } from "../server/server.ts";
import type { DemoConfig } from "./config.ts";
import { formatTable, leaseSummary, pxeClientOptions } from "./probe.ts";

/** The name the demo gives its built-in reservations. */
export const BUILT_IN_RESERVATIONS = "built-in examples/reservations.yaml";

/** The demo's responder: what it serves and how to stop it. */
interface DemoResponder {
  /** The file, or {@linkcode BUILT_IN_RESERVATIONS}. */
  name: string;
  /** The reservations served. */
  hosts: ReservationMap;
  /** Stop answering. */
  drain(): Promise<void>;
}

/** Serve `file` (reloaded on change), or the built-in reservations. */
async function startDemoResponder(
  file: string | undefined,
  servers: string,
  logger: Logger,
): Promise<DemoResponder> {
  if (file === undefined) {
    const hosts = parseReservations(exampleReservations, {
      file: BUILT_IN_RESERVATIONS,
    });
    const store = new ReservationStore(hosts);
    const responder = await startResponder({
      servers,
      logger,
      lookup: (mac) => store.lookup(mac),
    });
    logger.info("Reservations loaded", {
      file: BUILT_IN_RESERVATIONS,
      hosts: store.size,
    });
    return {
      name: BUILT_IN_RESERVATIONS,
      hosts,
      drain: () => responder.drain(),
    };
  }
  const responder = await startFileResponder({ file, servers, logger });
  try {
    const hosts = await loadReservationFile(file);
    return { name: file, hosts, drain: () => responder.drain() };
  } catch (err) {
    await responder.drain();
    throw err;
  }
}

/**
 * Run the demo until `signal` aborts (or right after the probe with `once`).
 *
 * @param demo Reservations file (the built-in ones when unset) and whether
 * to stop after the probe.
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
  const responder = await startDemoResponder(
    demo.reservations,
    broker.url,
    logger.child({ role: "responder" }),
  );
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
      `responder             ${responder.name} (${responder.hosts.size} hosts)`,
    );
    print(`DHCP server           ${dhcpAddress}`);

    const mac = [...responder.hosts.values()].find((r) =>
      !r.extensions?.dhcpDisabled
    )
      ?.macAddress;
    if (mac === undefined) {
      throw new Error(`${responder.name} has no reservations to probe`);
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
      `\nserving; try: ${selfCommand()} probe --mac ${mac} --server ${dhcpAddress} --arch 7` +
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

/**
 * How this program was started, for the hint the demo prints: the binary's
 * path when it is a `deno compile` build, else `deno run -A` and the main
 * module (relative to the working directory when it is inside it).
 */
function selfCommand(): string {
  try {
    const exec = Deno.execPath();
    if (!/[\\/]deno(\.exe)?$/.test(exec)) return exec;
    const main = new URL(Deno.mainModule);
    if (main.protocol !== "file:") return `deno run -A ${main.href}`;
    const cwd = Deno.cwd() + "/";
    const path = decodeURIComponent(main.pathname);
    return `deno run -A ${
      path.startsWith(cwd) ? path.slice(cwd.length) : path
    }`;
  } catch {
    return "dhcp-nats"; // no read permission to find out
  }
}
