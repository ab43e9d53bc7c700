/**
 * CPU time per request in the server's processor (no sockets, in-memory
 * backend), 64 requests in flight like a loaded server: decode, handler
 * chain, lookup deadline, options, encode. CPU time rather than wall time,
 * so other load on the machine disturbs it less than `deno bench`.
 *
 * `deno run -A bench/server_processor_cpu.ts [rounds=9] [perRound=5000]`
 *
 * Prints the median, min and max CPU microseconds per request over the
 * rounds (DISCOVER and REQUEST alternating).
 *
 * @module
 */
import process from "node:process";
import {
  FROM_CLIENT,
  processor as serverProcessor,
  request as packet,
} from "../tests/server/_support.ts";

const rounds = Number(Deno.args[0] ?? 9);
const perRound = Number(Deno.args[1] ?? 5000);
const IN_FLIGHT = 64;
// The test suite's processor and reserved host (memory backend).
const processor = serverProcessor();
const discover = packet(1);
const request = packet(3, [[50, [192, 168, 2, 153]], [54, [192, 168, 2, 1]]]);
const source = FROM_CLIENT;
const batches = Math.ceil(perRound / IN_FLIGHT);
const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const before = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    await Promise.all(
      Array.from(
        { length: IN_FLIGHT },
        (_, i) => processor.process(i & 1 ? request : discover, source),
      ),
    );
  }
  const used = process.cpuUsage(before);
  results.push((used.user + used.system) / (batches * IN_FLIGHT));
}
results.sort((a, b) => a - b);
const f = (n: number) => n.toFixed(2);
console.log(
  `processor, ${IN_FLIGHT} in flight: CPU us/request median ${
    f(results[Math.floor(rounds / 2)])
  } (min ${f(results[0])}, max ${f(results[rounds - 1])}, ${rounds} rounds of ${
    batches * IN_FLIGHT
  })`,
);
