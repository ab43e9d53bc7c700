/**
 * The broker conformance suite: every case of `_conformance_cases.ts` runs
 * against nats-server and against our broker, with the official nats.js
 * client.
 *
 * @module
 */

import { conformanceCases } from "./_conformance_cases.ts";
import { targets } from "./_targets.ts";

for (const target of targets) {
  for (const c of conformanceCases) {
    Deno.test(`broker conformance - ${c.name} (${target.name})`, async () => {
      await using server = await target.start(c.settings);
      await c.run(server);
    });
  }
}
