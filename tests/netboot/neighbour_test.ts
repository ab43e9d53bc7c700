import assert from "node:assert/strict";
import { macInArpTable } from "../../lib/netboot/http/neighbour.ts";

const TABLE = [
  "IP address       HW type     Flags       HW address            Mask     Device",
  "10.77.0.100      0x1         0x2         52:54:00:9E:B1:05     *        br0",
  "10.77.0.101      0x1         0x0         00:00:00:00:00:00     *        br0",
  "10.77.0.102      0x1         0x6         52:54:00:aa:00:01     *        br0",
  "",
].join("\n");

Deno.test("macInArpTable() gives the MAC of a complete entry, lower-cased", () => {
  assert.equal(macInArpTable(TABLE, "10.77.0.100"), "52:54:00:9e:b1:05");
  assert.equal(macInArpTable(TABLE, "10.77.0.102"), "52:54:00:aa:00:01");
});

Deno.test("macInArpTable() knows nothing of an incomplete entry or another address", () => {
  assert.equal(macInArpTable(TABLE, "10.77.0.101"), undefined);
  assert.equal(macInArpTable(TABLE, "10.77.0.10"), undefined);
  assert.equal(macInArpTable("", "10.77.0.100"), undefined);
});
