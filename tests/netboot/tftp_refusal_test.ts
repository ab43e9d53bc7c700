import assert from "node:assert/strict";
import { startTftpLab } from "./_tftp_lab.ts";
import {
  ack,
  describe,
  error,
  oackOptions,
  openRawTftp,
  request,
  waitForIdle,
} from "./_tftp_raw.ts";

async function refused(
  packet: Uint8Array,
): Promise<
  { code?: number; message?: string; log: Record<string, unknown>[] }
> {
  await using lab = await startTftpLab();
  const { tftp } = lab;
  await using client = await openRawTftp();
  client.send(packet, tftp.port);
  const reply = await client.next();
  assert.ok(reply, "the server answers with an error packet");
  const d = describe(reply.data);
  assert.equal(d.opcode, 5, "an ERROR packet");
  return { code: d.code, message: d.message, log: lab.lines };
}

const escapes: [string, string][] = [
  ["../secret.txt", "a .. segment"],
  ["sub/../../secret.txt", "a .. segment further in"],
  ["/etc/passwd", "an absolute path"],
  ["out-link", "a symlink pointing out"],
  ["sub", "a directory"],
  ["fifo", "a named pipe (not a regular file)"],
  ["sub//inner.bin", "an empty segment"],
  ["sub\\inner.bin", "a backslash"],
];
for (const [name, what] of escapes) {
  Deno.test(`tftp - ${what} (${name}) is refused with error 2 and logged`, async () => {
    const r = await refused(request(1, name));
    assert.equal(r.code, 2);
    assert.equal(r.message, "Access violation");
    const line = r.log.find((l) => l.msg === "tftp request refused");
    assert.ok(line, "a log line");
    assert.equal(line.level, "warn");
    assert.equal(line.file, name);
  });
}

Deno.test("tftp - a missing file gets error 1", async () => {
  const r = await refused(request(1, "nope.bin"));
  assert.equal(r.code, 1);
});

Deno.test("tftp - a write request is refused with error 2", async () => {
  const r = await refused(request(2, "new.bin"));
  assert.equal(r.code, 2);
  assert.match(r.message!, /Write requests are refused/);
});

Deno.test("tftp - netascii is refused with an error packet", async () => {
  const r = await refused(request(1, "small.bin", "netascii"));
  assert.equal(r.code, 4);
  assert.match(r.message!, /netascii/);
});

Deno.test("tftp - a malformed request (no mode) gets error 4", async () => {
  const bytes = new Uint8Array([0, 1, ...new TextEncoder().encode("x\0")]);
  const r = await refused(bytes);
  assert.equal(r.code, 4);
});

Deno.test("tftp - a size probe (tsize, then error 8) as EDK2 sends it ends quietly", async () => {
  await using lab = await startTftpLab();
  const { tftp } = lab;
  await using client = await openRawTftp();
  client.send(
    request(1, "one.bin", "octet", {
      tsize: "0",
      blksize: "1468",
      windowsize: "4",
    }),
    tftp.port,
  );
  const oack = await client.next();
  assert.ok(oack);
  assert.equal(describe(oack.data).opcode, 6);
  assert.deepEqual(oackOptions(oack.data), {
    tsize: String(1 << 20),
    blksize: "1468",
    windowsize: "4",
  });
  client.send(error(8, "size probe done"), oack.port);
  await waitForIdle(tftp);
  assert.equal(tftp.activeTransfers, 0);
  assert.ok(lab.lines.some((l) => l.msg === "tftp size probe"));
  // Then the real transfer, window of 4.
  client.send(
    request(1, "small.bin", "octet", { blksize: "256", windowsize: "4" }),
    tftp.port,
  );
  const oack2 = await client.next();
  assert.ok(oack2);
  client.send(ack(0), oack2.port);
  const blocks: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const d = await client.next();
    assert.ok(d);
    blocks.push(describe(d.data).block!);
    sizes.push(d.data.length - 4);
  }
  assert.deepEqual(blocks, [1, 2, 3, 4], "one window of four blocks");
  assert.deepEqual(sizes, [256, 256, 256, 1000 - 3 * 256]);
  client.send(ack(4), oack2.port);
  await waitForIdle(tftp);
  assert.equal(tftp.activeTransfers, 0);
  assert.equal(lab.lines.filter((l) => l.msg === "tftp transfer").length, 1);
});

Deno.test("tftp - an unacknowledged transfer is retransmitted with backoff, then given up", async () => {
  await using lab = await startTftpLab({
    retransmitMs: 50,
    maxRetries: 3,
  });
  const { tftp } = lab;
  await using client = await openRawTftp();
  client.send(request(1, "small.bin"), tftp.port);
  const got: number[] = [];
  for (;;) {
    const d = await client.next(10_000);
    assert.ok(d, "the server sends until it gives up");
    const p = describe(d.data);
    if (p.opcode === 5) break;
    got.push(p.block!);
  }
  assert.deepEqual(got, [1, 1, 1, 1], "first send and three retransmissions");
  await waitForIdle(tftp);
  assert.equal(tftp.activeTransfers, 0);
  const line = lab.lines.find((l) => l.msg === "tftp transfer ended early");
  assert.equal(line?.status, "timeout");
  assert.equal(line?.retransmits, 3);
});

Deno.test("tftp - over the transfer cap a request gets 'server busy'", async () => {
  await using lab = await startTftpLab({
    maxTransfers: 1,
  });
  const { tftp } = lab;
  await using first = await openRawTftp();
  first.send(request(1, "small.bin"), tftp.port);
  assert.equal(describe((await first.next())!.data).opcode, 3);
  await using second = await openRawTftp();
  second.send(request(1, "small.bin"), tftp.port);
  const busy = describe((await second.next())!.data);
  assert.equal(busy.opcode, 5);
  assert.match(busy.message!, /busy/);
});

Deno.test("tftp - a packet from a stranger to a transfer's port gets error 5, the transfer goes on", async () => {
  await using lab = await startTftpLab();
  const { tftp } = lab;
  await using client = await openRawTftp();
  client.send(request(1, "small.bin"), tftp.port);
  const data = (await client.next())!;
  await using stranger = await openRawTftp();
  stranger.send(ack(1), data.port);
  assert.equal(describe((await stranger.next())!.data).code, 5);
  client.send(ack(1), data.port);
  const next = describe((await client.next())!.data);
  assert.equal(next.block, 2);
});
