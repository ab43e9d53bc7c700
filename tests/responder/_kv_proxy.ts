/**
 * Test helper: a TCP proxy on loopback in front of a nats-server, that can
 * cut every connection through it and refuse new ones for a while, so one
 * client is disconnected while others keep using the server.
 *
 * @module
 */
import { freePort } from "../_helpers/nats_server.ts";

/** A running proxy. */
export interface TcpProxy extends AsyncDisposable {
  /** `nats://127.0.0.1:PORT` of the proxy. */
  readonly url: string;
  /** Close every connection and stop listening. */
  cut(): Promise<void>;
  /** Listen again on the same port. */
  resume(): void;
}

/**
 * Start a proxy to `127.0.0.1:targetPort`.
 *
 * @param targetPort The nats-server's port.
 * @returns The proxy; dispose it to close everything.
 */
export function startTcpProxy(targetPort: number): TcpProxy {
  const port = freePort();
  const conns = new Set<Deno.Conn>();
  const pumps = new Set<Promise<void>>();
  let listener: Deno.Listener | undefined;
  let accepting: Promise<void> = Promise.resolve();

  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable, { preventClose: false });
    } catch { /* cut */ }
  };
  const track = (p: Promise<void>) => {
    pumps.add(p);
    p.finally(() => pumps.delete(p));
  };
  const listen = () => {
    const l = listener = Deno.listen({ hostname: "127.0.0.1", port });
    accepting = (async () => {
      for await (const client of l) {
        try {
          const server = await Deno.connect({
            hostname: "127.0.0.1",
            port: targetPort,
          });
          conns.add(client);
          conns.add(server);
          track(pipe(client, server));
          track(pipe(server, client));
        } catch {
          client.close();
        }
      }
    })().catch(() => {});
  };
  const cut = async () => {
    listener?.close();
    listener = undefined;
    await accepting;
    for (const c of conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    conns.clear();
    await Promise.all([...pumps]);
  };
  listen();
  return {
    url: `nats://127.0.0.1:${port}`,
    cut,
    resume: listen,
    [Symbol.asyncDispose]: cut,
  };
}
