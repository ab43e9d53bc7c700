/**
 * Cost of handling one request in the server, without sockets: decode, the
 * handler chain with an in-memory backend, options, encode, addressing.
 *
 * `deno bench -A bench/server_processor_bench.ts`
 *
 * @module
 */
import {
  FROM_CLIENT,
  processor as serverProcessor,
  request as packet,
} from "../tests/server/_support.ts";

// The test suite's processor and reserved host (memory backend).
const processor = serverProcessor();
const discover = packet(1);
const pxeDiscover = packet(1, [[60, [
  ...new TextEncoder().encode("PXEClient:Arch:00007:UNDI:003016"),
]], [93, [0, 7]]]);
const request = packet(3, [[50, [192, 168, 2, 153]], [54, [192, 168, 2, 1]]]);
const source = FROM_CLIENT;

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
