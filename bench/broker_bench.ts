/**
 * Throughput of the embedded broker against nats-server, in the same run:
 * request-reply round trips per second (1 and 64 in flight) and pub/sub
 * messages per second (128-byte payloads, one publisher, one subscriber),
 * printed as a ratio to nats-server. Our broker runs in a child process,
 * like nats-server, so the nats.js clients of this process do not share its
 * event loop.
 *
 * Run: `deno run -A bench/broker_bench.ts [--seconds 1.2] [--rounds 3]`
 * (the default run takes about 25 s).
 *
 * @module
 */

import { connect } from "@nats-io/transport-node";
import { startBroker } from "../lib/broker/broker.ts";
import { freePort, startNatsServer } from "../tests/_helpers/nats_server.ts";

/** One measured figure. */
interface Figure {
  name: string;
  nats: number;
  ours: number;
}

async function requestReply(
  url: string,
  inFlight: number,
  ms: number,
): Promise<number> {
  const responder = await connect({ servers: url });
  const requester = await connect({ servers: url });
  try {
    const sub = responder.subscribe("bench.echo", {
      callback: (_e, m) => {
        m.respond(m.data);
      },
    });
    await responder.flush();
    const payload = new Uint8Array(64);
    let count = 0;
    const deadline = performance.now() + ms;
    const start = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await requester.request("bench.echo", payload, { timeout: 5000 });
        count++;
      }
    }));
    const rate = count / ((performance.now() - start) / 1000);
    sub.unsubscribe();
    return rate;
  } finally {
    await requester.close();
    await responder.close();
  }
}

async function pubSub(url: string, ms: number): Promise<number> {
  const subscriber = await connect({ servers: url });
  const publisher = await connect({ servers: url });
  try {
    let received = 0;
    const sub = subscriber.subscribe("bench.data", {
      callback: () => {
        received++;
      },
    });
    await subscriber.flush();
    const payload = new Uint8Array(128);
    let sent = 0;
    const start = performance.now();
    const deadline = start + ms;
    while (performance.now() < deadline) {
      for (let i = 0; i < 1000; i++) publisher.publish("bench.data", payload);
      sent += 1000;
      // Let the subscriber keep up: at most 50k messages in the pipe.
      await publisher.flush();
      while (sent - received > 50_000) {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const waitUntil = performance.now() + 10_000;
    while (received < sent && performance.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 1));
    }
    const rate = received / ((performance.now() - start) / 1000);
    sub.unsubscribe();
    return rate;
  } finally {
    await publisher.close();
    await subscriber.close();
  }
}

async function measure(url: string, ms: number): Promise<number[]> {
  return [
    await requestReply(url, 1, ms),
    await requestReply(url, 64, ms),
    await pubSub(url, ms),
  ];
}

async function serveChild(port: number): Promise<void> {
  const broker = await startBroker({ port });
  console.log("ready");
  // Runs until the parent kills it.
  await new Promise<void>((resolve) =>
    Deno.addSignalListener("SIGTERM", () => broker.close().then(resolve))
  );
  Deno.exit(0);
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  };
  const ms = arg("--seconds", 1.2) * 1000;
  const rounds = arg("--rounds", 3);

  await using nats = await startNatsServer();
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--serve-broker", String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "ready"
  reader.releaseLock();

  // Interleave the servers and keep each one's best round: the machine is
  // shared, so a single run of each is at the mercy of other load.
  const best = { nats: [0, 0, 0], ours: [0, 0, 0] };
  try {
    for (let r = 0; r < rounds; r++) {
      const n = await measure(nats.url, ms);
      const o = await measure(`nats://127.0.0.1:${port}`, ms);
      best.nats = best.nats.map((v, i) => Math.max(v, n[i]));
      best.ours = best.ours.map((v, i) => Math.max(v, o[i]));
    }
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel();
    await child.status;
  }

  const names = [
    "request-reply, 1 in flight (req/s)",
    "request-reply, 64 in flight (req/s)",
    "pub/sub 128 B (msg/s)",
  ];
  const figures: Figure[] = names.map((name, i) => ({
    name,
    nats: best.nats[i],
    ours: best.ours[i],
  }));
  console.log(
    `broker benchmark: best of ${rounds} rounds of ${ms / 1000} s per figure`,
  );
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(38)} nats-server ${
        f.nats.toFixed(0).padStart(8)
      }  ours ${f.ours.toFixed(0).padStart(8)}  ratio ${
        (f.ours / f.nats).toFixed(2)
      }x`,
    );
  }
}

if (import.meta.main) {
  const serveIdx = Deno.args.indexOf("--serve-broker");
  if (serveIdx >= 0) await serveChild(Number(Deno.args[serveIdx + 1]));
  else await main();
}
