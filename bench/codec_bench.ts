/**
 * DHCP codec benchmark: decode and encode of a client DISCOVER and of a
 * server OFFER with netboot options, ours against the npm `dhcp` package
 * (0.2.20, the most used JavaScript DHCP library) in the same groups.
 *
 * Run: `deno bench -A bench/codec_bench.ts`
 *
 * @module
 */

import { Buffer } from "node:buffer";
import peerProtocol from "dhcp-npm-peer/lib/protocol.js";
import { decodeMessage, encodeMessage } from "../lib/dhcp/message.ts";
import { DHCLIENT_DISCOVER, NETBOOT_OFFER } from "../tests/dhcp/_fixtures.ts";

interface PeerProtocol {
  parse(buf: Buffer): Record<string, unknown>;
  format(data: Record<string, unknown>): { _data: Buffer; _w: number };
}
const peer = peerProtocol as unknown as PeerProtocol;

let sink: unknown;

for (
  const [name, bytes] of [["DISCOVER", DHCLIENT_DISCOVER], [
    "OFFER",
    NETBOOT_OFFER,
  ]] as const
) {
  const peerBytes = Buffer.from(bytes);
  const ours = decodeMessage(bytes);
  const theirs = peer.parse(peerBytes);

  Deno.bench({
    name: `dhcp-nats decodeMessage ${name}`,
    group: `decode ${name}`,
    baseline: true,
    fn() {
      sink = decodeMessage(bytes);
    },
  });
  Deno.bench({
    name: `npm:dhcp parse ${name}`,
    group: `decode ${name}`,
    fn() {
      sink = peer.parse(peerBytes);
    },
  });
  // The message we re-encode is modified, so the encoder builds the bytes
  // instead of copying the decoded packet.
  const fresh = { ...ours, options: ours.options.clone() };
  fresh.options.set(53, fresh.options.get(53)!.slice());
  Deno.bench({
    name: `dhcp-nats encodeMessage ${name}`,
    group: `encode ${name}`,
    baseline: true,
    fn() {
      sink = encodeMessage(fresh);
    },
  });
  Deno.bench({
    name: `npm:dhcp format ${name}`,
    group: `encode ${name}`,
    fn() {
      sink = peer.format(theirs);
    },
  });
}

globalThis.addEventListener("unload", () => void sink);
