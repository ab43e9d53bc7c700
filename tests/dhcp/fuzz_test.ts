/**
 * Fuzz test: decodeMessage() and the typed accessors throw nothing but
 * DhcpDecodeError and never hang, over random and mutated packets. Seeded
 * so a failure reproduces: DHCP_FUZZ_SEED=<n> deno test -A tests/dhcp/fuzz_test.ts
 */
import assert from "node:assert/strict";
import { DhcpDecodeError } from "../../lib/dhcp/errors.ts";
import {
  decodeMessage,
  type DhcpMessage,
  encodeMessage,
} from "../../lib/dhcp/message.ts";
import { messageTypeOf } from "../../lib/dhcp/modifiers.ts";
import * as values from "../../lib/dhcp/option_values.ts";
import { prng } from "../_helpers/seeded_random.ts";
import type { OptionValueCodec } from "../../lib/dhcp/option_values.ts";
import {
  COOKIE,
  DHCLIENT_DISCOVER,
  IPXE_DISCOVER,
  NETBOOT_OFFER,
  packet,
  PXE_DISCOVER,
  RELAYED_REQUEST,
  requestHeader,
} from "./_fixtures.ts";

const ITERATIONS = 120_000;

const CODECS = Object.values(values).filter(
  (v) => typeof v === "object" && v !== null && "decode" in v,
) as OptionValueCodec<unknown>[];

/** Real captures from tests/testdata/golden/ (dhclient, udhcpc, dhcpcd, dnsmasq). */
function goldenPackets(): Uint8Array[] {
  const dir = new URL("../testdata/golden/", import.meta.url);
  try {
    return [...Deno.readDirSync(dir)]
      .filter((entry) => entry.name.endsWith(".bin"))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => Deno.readFileSync(new URL(entry.name, dir)));
  } catch {
    return [];
  }
}

/**
 * Packets to mutate: the real captures, the annotated fixtures, and an
 * overloaded and a long-option packet.
 */
const SEEDS: Uint8Array[] = [
  ...goldenPackets(),
  DHCLIENT_DISCOVER,
  PXE_DISCOVER,
  IPXE_DISCOVER,
  RELAYED_REQUEST,
  NETBOOT_OFFER,
  packet(
    requestHeader().slice(0, 44), // op .. chaddr
    [12, 3, 0x61, 0x62, 0x63, 255],
    new Array(58).fill(0), // sname: host name, End
    [119, 4, 1, 0x61, 0xc0, 0, 255],
    new Array(121).fill(0), // file: domain search, End
    COOKIE,
    [53, 1, 1, 52, 1, 3, 121, 5, 0, 1, 2, 3, 4, 255], // type, overload 3, route, End
  ),
  packet(requestHeader(), COOKIE, [43, 255], new Array(255).fill(6), [
    43,
    3,
    6,
    1,
    8,
  ], [255]),
];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function mutate(rand: () => number, bytes: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  let out: Uint8Array = bytes.slice();
  const rounds = 1 + pick(2);
  for (let r = 0; r < rounds; r++) {
    switch (pick(7)) {
      case 0: // bit flips
        for (let i = 1 + pick(8); i > 0; i--) {
          out[pick(out.length)] ^= 1 << pick(8);
        }
        break;
      case 1: // truncation, mostly inside the options
        out = out.slice(
          0,
          pick(4) === 0
            ? pick(out.length + 1)
            : 240 + pick(Math.max(1, out.length - 239)),
        );
        break;
      case 2: // a random byte in the options area
        if (out.length > 240) out[240 + pick(out.length - 240)] = pick(256);
        break;
      case 3: { // a length byte changed: walk the options, pick one
        let pos = 240;
        const lengths: number[] = [];
        while (pos + 1 < out.length && out[pos] !== 255) {
          if (out[pos] === 0) {
            pos++;
            continue;
          }
          lengths.push(pos + 1);
          pos += 2 + out[pos + 1];
        }
        if (lengths.length) {
          out[lengths[pick(lengths.length)]] = pick(3) === 0 ? 0 : pick(256);
        }
        break;
      }
      case 4: { // splice two packets
        const other = SEEDS[pick(SEEDS.length)];
        const cut = pick(out.length + 1);
        const from = pick(other.length + 1);
        out = concat(out.subarray(0, cut), other.subarray(from));
        break;
      }
      case 5: { // insert a random option, maybe overload or a domain search
        const code =
          [52, 53, 119, 121, 82, 43, 77, 93, 97, pick(256)][pick(10)];
        const value = Array.from(
          { length: pick(12) },
          () => pick(4) === 0 ? 0xc0 : pick(256),
        );
        const at = Math.min(out.length, 240 + pick(40));
        out = concat(
          out.subarray(0, at),
          Uint8Array.of(code, value.length, ...value),
          out.subarray(at),
        );
        break;
      }
      default: // hlen and header noise
        out[2] = pick(4) === 0 ? pick(256) : pick(17);
    }
  }
  return out;
}

function randomPacket(rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const length = pick(3) === 0 ? pick(300) : 240 + pick(400);
  const out = Uint8Array.from({ length }, () => pick(256));
  if (length >= 240 && pick(4) !== 0) out.set(COOKIE, 236);
  if (pick(2) === 0) out[2] = pick(17);
  return out;
}

/** Only DhcpDecodeError may escape `fn`. */
function onlyDecodeErrors(fn: () => void, context: () => string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof DhcpDecodeError)) {
      throw new Error(`Unexpected ${error} for ${context()}`, { cause: error });
    }
    if (!Number.isInteger(error.offset) || error.offset < 0) {
      throw new Error(`Bad offset ${error.offset} for ${context()}`);
    }
  }
}

function exercise(
  message: DhcpMessage,
  rand: () => number,
  context: () => string,
) {
  onlyDecodeErrors(() => void messageTypeOf(message), context);
  for (const code of message.options.codes()) {
    for (let i = 0; i < 2; i++) {
      const codec = CODECS[Math.floor(rand() * CODECS.length)];
      onlyDecodeErrors(() => void message.options.getAs(code, codec), context);
    }
  }
  // A decoded message encodes (or says it cannot fit) and decodes back.
  let encoded: Uint8Array;
  try {
    encoded = encodeMessage(message, { maxSize: 65535 });
  } catch (error) {
    throw new Error(`encodeMessage failed for ${context()}`, { cause: error });
  }
  const again = decodeMessage(encoded);
  // Compare by hand: building the context string for every assert is slow.
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
    a !== undefined && b !== undefined && a.length === b.length &&
    a.every((x, i) => x === b[i]);
  const codes = message.options.codes();
  const ok = again.clientHardwareAddress === message.clientHardwareAddress &&
    again.options.codes().join() === codes.join() &&
    codes.every((code) =>
      same(again.options.get(code), message.options.get(code))
    );
  if (!ok) {
    assert.deepEqual(
      [
        again.clientHardwareAddress,
        again.options.codes(),
        ...codes.map((c) => again.options.get(c)),
      ],
      [
        message.clientHardwareAddress,
        codes,
        ...codes.map((c) => message.options.get(c)),
      ],
      `re-encoded message differs, ${context()}`,
    );
  }
}

Deno.test("decodeMessage() and accessors throw only DhcpDecodeError on random and mutated packets", () => {
  const seed = Number(Deno.env.get("DHCP_FUZZ_SEED") ?? 20261128);
  const rand = prng(seed);
  let decoded = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const bytes = rand() < 0.2
      ? randomPacket(rand)
      : mutate(rand, SEEDS[Math.floor(rand() * SEEDS.length)]);
    const context = () =>
      `seed ${seed}, iteration ${i}, packet ${Array.from(bytes).join(",")}`;
    let message: DhcpMessage | undefined;
    onlyDecodeErrors(() => void (message = decodeMessage(bytes)), context);
    if (message) {
      decoded++;
      exercise(message, rand, context);
    }
  }
  // The mutations must leave enough packets valid to exercise the accessors.
  assert.ok(
    decoded > ITERATIONS / 5,
    `only ${decoded} of ${ITERATIONS} packets decoded`,
  );
});
