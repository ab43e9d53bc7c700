import assert from "node:assert/strict";
import { startTftpLab } from "./_tftp_lab.ts";
import { waitForIdle } from "./_tftp_raw.ts";

async function fetchWith(
  cmd: string,
  args: string[],
  out: string,
): Promise<Uint8Array> {
  const r = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const err = new TextDecoder().decode(r.stderr);
  assert.ok(r.success, `${cmd} ${args.join(" ")} failed: ${err}`);
  return await Deno.readFile(out);
}

const cases: [
  string,
  (port: number, file: string, out: string) => [string, string[]],
][] = [
  [
    "curl, no options (RFC 1350 lock-step, 512-byte blocks)",
    (port, file, out) => [
      "curl",
      [
        "-sS",
        "--tftp-no-options",
        `tftp://127.0.0.1:${port}/${file}`,
        "-o",
        out,
      ],
    ],
  ],
  ["curl, blksize 1468 and tsize", (port, file, out) => [
    "curl",
    [
      "-sS",
      "--tftp-blksize",
      "1468",
      `tftp://127.0.0.1:${port}/${file}`,
      "-o",
      out,
    ],
  ]],
  ["atftp, blksize 1468 and windowsize 8", (port, file, out) => [
    "atftp",
    [
      "--option",
      "blksize 1468",
      "--option",
      "windowsize 8",
      "--option",
      "tsize 0",
      "-g",
      "-r",
      file,
      "-l",
      out,
      "127.0.0.1",
      String(port),
    ],
  ]],
];

for (const [what, command] of cases) {
  Deno.test(`tftp - ${what} fetches every file byte for byte`, async () => {
    await using lab = await startTftpLab();
    const { tftp } = lab;
    const out = await Deno.makeTempFile();
    try {
      for (
        const name of [
          "small.bin",
          "exact.bin",
          "one.bin",
          "sub/inner.bin",
          "inside-link",
        ]
      ) {
        const [cmd, args] = command(tftp.port, name, out);
        const got = await fetchWith(cmd, args, out);
        const want = lab.boot.files.get(
          name === "inside-link" ? "small.bin" : name,
        )!;
        assert.equal(got.length, want.length, name);
        assert.deepEqual(got, want, name);
      }
    } finally {
      await Deno.remove(out);
    }
  });
}

Deno.test("tftp - 20 concurrent curl clients all get the whole file", async () => {
  await using lab = await startTftpLab();
  const { tftp } = lab;
  const dir = await Deno.makeTempDir();
  try {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const out = `${dir}/${i}`;
      const got = await fetchWith("curl", [
        "-sS",
        "--tftp-blksize",
        "1468",
        `tftp://127.0.0.1:${tftp.port}/one.bin`,
        "-o",
        out,
      ], out);
      assert.deepEqual(got, lab.boot.files.get("one.bin"));
    }));
    await waitForIdle(tftp);
    assert.equal(tftp.activeTransfers, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
