import assert from "node:assert/strict";
import { bashCompletion, zshCompletion } from "../../lib/cli/completion.ts";

async function sh(shell: string, script: string): Promise<string> {
  const out = await new Deno.Command(shell, {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("bash completion completes flags, choices and commands", async () => {
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  try {
    await Deno.writeTextFile(file, bashCompletion());
    const complete = (words: string[]) =>
      sh(
        "bash",
        `source ${file}; COMP_WORDS=(${
          words.map((w) => `"${w}"`).join(" ")
        }); COMP_CWORD=${
          words.length - 1
        }; _dhcp_nats; echo "\${COMPREPLY[@]}"`,
      );
    assert.equal(
      await complete(["dhcp-nats", "--nats-u"]),
      "--nats-url --nats-user",
    );
    assert.equal(
      await complete(["dhcp-nats", "--log-level", ""]),
      "debug info warn error",
    );
    assert.equal(await complete(["dhcp-nats", "--reply-format", "v"]), "v1 v2");
    assert.equal(await complete(["dhcp-nats", "pr"]), "probe");
    assert.equal(await complete(["dhcp-nats", "--no-net"]), "--no-netboot");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("zsh completion is valid zsh", async () => {
  const file = await Deno.makeTempFile({ suffix: ".zsh" });
  try {
    await Deno.writeTextFile(file, zshCompletion());
    await sh("zsh", `zsh -n ${file} && echo ok`);
    assert.match(zshCompletion(), /'--listen=\[DHCP listen address\]:value: '/);
  } finally {
    await Deno.remove(file);
  }
});
