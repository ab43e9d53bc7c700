/**
 * The hand-made base64 codec (lib/bytes/base64.ts) against Deno's built-ins
 * (`Uint8Array.prototype.toBase64`, `Uint8Array.fromBase64`, `btoa`/`atob`)
 * on what the lookups carry: a 6-byte MAC and a ~300-byte CloudEvent body.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../lib/bytes/base64.ts";

type WithBase64 = Uint8Array & { toBase64(): string };
const fromBase64 = (Uint8Array as unknown as {
  fromBase64(text: string): Uint8Array;
}).fromBase64;

const mac = Uint8Array.of(8, 0, 0x27, 0x29, 0x4e, 0x67);
const body = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
const macText = encodeBase64(mac);
const bodyText = encodeBase64(body);

for (
  const [name, bytes, text] of [["mac", mac, macText], [
    "body",
    body,
    bodyText,
  ]] as const
) {
  Deno.bench(`encode ${name}: hand-made`, {
    group: `encode ${name}`,
    baseline: true,
  }, () => {
    encodeBase64(bytes);
  });
  Deno.bench(`encode ${name}: toBase64`, { group: `encode ${name}` }, () => {
    (bytes as WithBase64).toBase64();
  });
  Deno.bench(`encode ${name}: btoa`, { group: `encode ${name}` }, () => {
    btoa(String.fromCharCode(...bytes));
  });
  Deno.bench(`decode ${name}: hand-made`, {
    group: `decode ${name}`,
    baseline: true,
  }, () => {
    decodeBase64(text);
  });
  Deno.bench(`decode ${name}: fromBase64`, { group: `decode ${name}` }, () => {
    fromBase64(text);
  });
  Deno.bench(`decode ${name}: atob`, { group: `decode ${name}` }, () => {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  });
}
