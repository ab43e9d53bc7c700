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
import * as values from "../lib/dhcp/option_values.ts";
import type { OptionValueCodec } from "../lib/dhcp/option_values.ts";
import { DHCLIENT_DISCOVER, NETBOOT_OFFER } from "../tests/dhcp/_fixtures.ts";

interface PeerProtocol {
  parse(buf: Buffer): Record<string, unknown>;
  format(data: Record<string, unknown>): { _data: Buffer; _w: number };
}
const peer = peerProtocol as unknown as PeerProtocol;

let sink: unknown;

/** The typed codec for each option in the fixtures, to read every value. */
const CODEC_OF: Record<number, OptionValueCodec<unknown>> = {
  1: values.ip,
  3: values.ipList,
  6: values.ipList,
  12: values.text,
  15: values.text,
  28: values.ip,
  42: values.ipList,
  43: values.vendorSubOptions,
  50: values.ip,
  51: values.u32,
  53: values.u8,
  54: values.ip,
  55: values.parameterList,
  58: values.u32,
  59: values.u32,
  60: values.text,
  66: values.text,
  67: values.text,
  119: values.domainList,
  121: values.classlessRoutes,
} as Record<number, OptionValueCodec<unknown>>;

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
  // Decoding is lazy; this row also builds every option value, as the
  // peer's parse does.
  Deno.bench({
    name: `dhcp-nats decodeMessage + every typed value ${name}`,
    group: `decode ${name}`,
    fn() {
      const message = decodeMessage(bytes);
      for (const code of message.options.codes()) {
        sink = message.options.getAs(code, CODEC_OF[code] ?? values.bytes);
      }
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
