/**
 * Subprocess entry that floods a DHCP port with UDP packets, as fast as
 * the machine sends them:
 *
 * `deno run -A tests/reliability/_flood.ts HOST PORT mixed COUNT`: random
 * bytes, DHCP headers with garbage options, truncated DISCOVERs, and
 * DISCOVERs of random MACs, COUNT in all.
 *
 * `deno run -A tests/reliability/_flood.ts HOST PORT mac MS MAC`: DISCOVERs
 * of one MAC in a tight loop for MS milliseconds.
 *
 * Prints `{"sent":N,"ms":T}` when done.
 *
 * @module
 */
import dgram from "node:dgram";
import { DhcpClient } from "../../lib/client/client.ts";
import { MessageType } from "../../lib/dhcp/codes.ts";
import { encodeMessage } from "../../lib/dhcp/message.ts";

function random(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

async function discoverTemplate(mac: string): Promise<Uint8Array> {
  await using client = await DhcpClient.open({ mac, bind: "127.0.0.1:0" });
  return encodeMessage(client.buildRequest(MessageType.Discover));
}

/** The next flood packet, by turn. */
function mixedPacket(i: number, discover: Uint8Array): Uint8Array {
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3: // random bytes
      return random(1 + Math.floor(Math.random() * 600));
    case 4:
    case 5:
    case 6: { // a DHCP header, then garbage where the options go
      const p = discover.slice(0, 240 + Math.floor(Math.random() * 300));
      p.set(random(p.length - 240), 240);
      return p;
    }
    case 7:
    case 8: // a DISCOVER cut short
      return discover.slice(0, Math.floor(Math.random() * discover.length));
    default: { // a DISCOVER of a random MAC
      const p = discover.slice();
      p.set(random(4), 4); // xid
      p.set(random(6), 28); // chaddr
      p[28] &= 0xfe;
      return p;
    }
  }
}

if (import.meta.main) {
  const [host, portText, mode, amount, mac] = Deno.args;
  const port = Number(portText);
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  socket.setSendBufferSize(4 * 1024 * 1024);
  const discover = await discoverTemplate(mac ?? "02:00:00:00:00:01");
  const started = performance.now();
  let sent = 0;
  const send = (p: Uint8Array) =>
    new Promise<void>((resolve) => socket.send(p, port, host, () => resolve()));
  if (mode === "mixed") {
    const count = Number(amount);
    while (sent < count) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 256 && sent < count; i++, sent++) {
        batch.push(send(mixedPacket(sent, discover)));
      }
      await Promise.all(batch);
    }
  } else {
    const until = started + Number(amount);
    while (performance.now() < until) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 16; i++, sent++) {
        const p = discover.slice();
        p.set(random(4), 4); // a new xid each time, as a looping client
        batch.push(send(p));
      }
      await Promise.all(batch);
    }
  }
  socket.close();
  console.log(
    JSON.stringify({ sent, ms: Math.round(performance.now() - started) }),
  );
}
