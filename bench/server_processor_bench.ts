/**
 * Cost of handling one request in the server, without sockets: decode, the
 * handler chain with an in-memory backend, options, encode, addressing.
 *
 * `deno bench -A bench/server_processor_bench.ts`
 *
 * @module
 */
import { benchProcessor, packet, requestExtras } from "./_processor_fixture.ts";

const processor = benchProcessor();
const discover = packet(1);
const pxeDiscover = packet(1, [[60, [
  ...new TextEncoder().encode("PXEClient:Arch:00007:UNDI:003016"),
]], [93, [0, 7]]]);
const request = packet(3, requestExtras);
const source = { address: "0.0.0.0", port: 68 };

Deno.bench(
  "server: DISCOVER -> OFFER",
  { group: "process", baseline: true },
  async () => {
    await processor.process(discover, source);
  },
);
Deno.bench("server: PXE DISCOVER -> OFFER with boot options", {
  group: "process",
}, async () => {
  await processor.process(pxeDiscover, source);
});
Deno.bench("server: REQUEST -> ACK", { group: "process" }, async () => {
  await processor.process(request, source);
});
