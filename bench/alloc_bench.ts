/**
 * Small byte arrays: a fresh `Uint8Array` (its own ArrayBuffer) against a
 * view carved from a shared slab (lib/bytes/alloc.ts), and the same for
 * `slice` and `TextEncoder.encode`.
 *
 * `deno bench bench/alloc_bench.ts`
 *
 * @module
 */
import { allocBytes, copyBytes } from "../lib/bytes/alloc.ts";
import { encodeUtf8 } from "../lib/bytes/utf8.ts";

const packet = new Uint8Array(600).fill(7);
const encoder = new TextEncoder();
const hostname = "node-0042.rack-7.example.com";
let sink: Uint8Array | undefined;

Deno.bench("new Uint8Array(4)", { group: "4 bytes", baseline: true }, () => {
  sink = new Uint8Array(4);
});
Deno.bench("allocBytes(4)", { group: "4 bytes" }, () => {
  sink = allocBytes(4);
});
Deno.bench(
  "packet.slice(0, 300)",
  { group: "copy 300", baseline: true },
  () => {
    sink = packet.slice(0, 300);
  },
);
Deno.bench("copyBytes(packet, 0, 300)", { group: "copy 300" }, () => {
  sink = copyBytes(packet, 0, 300);
});
Deno.bench("TextEncoder.encode", { group: "utf-8", baseline: true }, () => {
  sink = encoder.encode(hostname);
});
Deno.bench("encodeUtf8", { group: "utf-8" }, () => {
  sink = encodeUtf8(hostname);
});
globalThis.addEventListener("unload", () => sink?.length);
