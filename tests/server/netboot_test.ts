import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Backend } from "../../lib/backend/backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import {
  arch,
  cString,
  FROM_CLIENT,
  HOST,
  ipAt,
  processor,
  pxe,
  rawOptions,
  request,
  textOf,
} from "./_support.ts";
import type { DhcpServerOptions } from "../../lib/server/options.ts";

async function offer(
  options: [number, number[] | string][],
  host: Reservation = HOST,
  server: Omit<DhcpServerOptions, "backend"> = {},
) {
  const out = await processor(new MemoryBackend([host]), server).process(
    request(1, options),
    FROM_CLIENT,
  );
  assert.ok(out, "an OFFER");
  const o = rawOptions(out.bytes);
  return {
    bytes: out.bytes,
    o,
    file: cString(out.bytes, 108, 128),
    siaddr: ipAt(out.bytes, 20),
    opt60: textOf(o.get(60)),
    opt66: textOf(o.get(66)),
    opt67: textOf(o.get(67)),
  };
}

function assertPxeOption43(value: number[] | undefined): void {
  assert.ok(value);
  assert.deepEqual(value.slice(0, 3), [6, 1, 8]); // PXE_DISCOVERY_CONTROL = 8
  assert.deepEqual(value.slice(3, 5), [69, 26]); // traceparent, 26 bytes
  assert.equal(value[5], 0); // traceparent version 00
  assert.equal(value[5 + 26], 255, "End closes the sub-options (PXE 2.1)");
  assert.equal(value.length, 5 + 26 + 1);
}

Deno.test("netboot - PXE BIOS (arch 0) gets undionly.kpxe over TFTP", async () => {
  const r = await offer(pxe(0));
  assert.equal(r.file, "undionly.kpxe");
  assert.equal(r.opt67, "undionly.kpxe");
  assert.equal(r.siaddr, "192.168.2.5");
  assert.equal(r.opt66, "192.168.2.5");
  assert.equal(r.opt60, "PXEClient");
  assertPxeOption43(r.o.get(43));
  assert.equal(ipAt(r.bytes, 16), HOST.ipAddress); // still the lease
});

Deno.test("netboot - UEFI x86-64 (arch 7 and 9) gets ipxe.efi", async () => {
  for (const n of [7, 9, 6]) {
    const r = await offer(pxe(n));
    assert.equal(r.file, "ipxe.efi", `arch ${n}`);
    assert.equal(r.siaddr, "192.168.2.5");
  }
});

Deno.test("netboot - UEFI ARM64 (arch 11), ARM32 (10) and rpiboot (41) get snp.efi", async () => {
  for (const n of [11, 10, 41]) {
    assert.equal((await offer(pxe(n))).file, "snp.efi", `arch ${n}`);
  }
});

Deno.test("netboot - HTTPClient gets the HTTP binary URL and option 60 HTTPClient", async () => {
  const x86 = await offer([
    [60, "HTTPClient:Arch:00016:UNDI:003000"],
    arch(16),
  ]);
  assert.equal(x86.file, "http://192.168.2.5:8080/ipxe/ipxe.efi");
  assert.equal(x86.opt67, x86.file);
  assert.equal(x86.opt60, "HTTPClient");
  assert.equal(x86.siaddr, "192.168.2.5");
  assert.equal(x86.o.has(66), false); // not TFTP
  assertPxeOption43(x86.o.get(43));
  const arm = await offer([
    [60, "HTTPClient:Arch:00019:UNDI:003000"],
    arch(19),
  ]);
  assert.equal(arm.file, "http://192.168.2.5:8080/ipxe/snp.efi");
});

Deno.test("netboot - our iPXE (user class Tinkerbell) gets the iPXE script URL, per host first", async () => {
  const global = await offer([...pxe(7), [77, "Tinkerbell"]]);
  assert.equal(global.file, "http://192.168.2.5:8080/auto.ipxe");
  assert.equal(global.opt67, global.file);
  assert.equal(global.siaddr, "0.0.0.0");
  assert.equal(global.o.has(66), false);
  const perHost = await offer([...pxe(7), [77, "Tinkerbell"]], {
    ...HOST,
    netboot: {
      allowNetboot: true,
      ipxeScriptUrl: "https://boot.example.com/h1.ipxe",
    },
  });
  assert.equal(perHost.file, "https://boot.example.com/h1.ipxe");
  const custom = await offer([...pxe(7), [77, "Custom"]], HOST, {
    netboot: { userClass: "Custom" },
  });
  assert.equal(custom.file, "http://192.168.2.5:8080/auto.ipxe");
  // RFC 3004 form of the user class works too.
  const rfc = await offer([...pxe(7), [77, [
    10,
    ...new TextEncoder().encode("Tinkerbell"),
  ]]]);
  assert.equal(rfc.file, "http://192.168.2.5:8080/auto.ipxe");
});

Deno.test("netboot - a foreign iPXE (user class iPXE) gets a full tftp:// URL", async () => {
  const r = await offer([...pxe(7), [77, "iPXE"]], HOST, {
    netboot: { tftpServer: "192.168.2.5:6969" },
  });
  assert.equal(r.file, "tftp://192.168.2.5:6969/ipxe.efi");
  assert.equal(r.siaddr, "192.168.2.5");
  assert.equal(r.opt66, "192.168.2.5");
  const bios = await offer([...pxe(0), [77, "iPXE"]]);
  assert.equal(bios.file, "tftp://192.168.2.5:69/undionly.kpxe");
});

const NO_BOOT = [43, 60, 66, 67];

Deno.test("netboot - a host whose netboot is not allowed gets just the lease", async () => {
  for (
    const host of [{ ...HOST, netboot: { allowNetboot: false } }, {
      ...HOST,
      netboot: undefined,
    }]
  ) {
    const r = await offer(pxe(7), host);
    assert.equal(ipAt(r.bytes, 16), HOST.ipAddress);
    assert.equal(r.file, "");
    assert.equal(r.siaddr, "0.0.0.0");
    for (const code of NO_BOOT) {
      assert.equal(r.o.has(code), false, `option ${code}`);
    }
    assert.deepEqual(r.o.get(1), [255, 255, 255, 0]);
  }
});

Deno.test("netboot - disabled globally: PXE clients get just the lease", async () => {
  const r = await offer(pxe(0), HOST, { netboot: { enabled: false } });
  assert.equal(r.file, "");
  assert.equal(r.siaddr, "0.0.0.0");
  for (const code of NO_BOOT) {
    assert.equal(r.o.has(code), false, `option ${code}`);
  }
});

Deno.test("netboot - an architecture without an iPXE binary, or no option 93, gets no boot options", async () => {
  const unknown = await offer([
    [60, "PXEClient:Arch:00099:UNDI:003016"],
    arch(99),
  ]);
  assert.equal(unknown.file, "");
  const no93 = await offer([[60, "PXEClient:Arch:00000:UNDI:002001"]]);
  assert.equal(no93.file, "");
  assert.equal(no93.o.has(43), false);
});

Deno.test("netboot - every architecture tinkerbell/dhcp maps gets its binary over PXE", async () => {
  const expected: Record<string, number[]> = {
    "undionly.kpxe": [0, 1, 2, 3, 4, 5],
    "ipxe.efi": [6, 7, 8, 9, 15, 16],
    "snp.efi": [10, 11, 18, 19, 41],
  };
  for (const [binary, archs] of Object.entries(expected)) {
    for (const n of archs) {
      const r = await offer(pxe(n));
      assert.equal(r.file, binary, `arch ${n}`);
      assert.equal(r.opt67, binary, `arch ${n}`);
    }
  }
  for (const n of [12, 13, 14, 17, 20, 40]) {
    assert.equal((await offer(pxe(n))).file, "", `arch ${n}`);
  }
});

Deno.test("netboot - per-host boot file and TFTP server name override the computed ones", async () => {
  const host = {
    ...HOST,
    extensions: {
      bootFileName: "custom.efi",
      tftpServerName: "tftp.example.com",
    },
  };
  const r = await offer(pxe(7), host);
  assert.equal(r.file, "custom.efi");
  assert.equal(r.opt67, "custom.efi");
  assert.equal(r.opt66, "tftp.example.com");
  // A non-PXE client of that host gets them too (for example a switch's ZTP).
  const plain = await offer([], host);
  assert.equal(plain.opt67, "custom.efi");
  assert.equal(plain.opt66, "tftp.example.com");
});

Deno.test("netboot - option 43 sub-option 69 carries the traceparent sent with the lookup", async () => {
  let sent = "";
  const backend: Backend = {
    lookup(_mac, options) {
      sent = options?.traceparent ?? "";
      return Promise.resolve(HOST);
    },
  };
  const out = await processor(backend).process(request(1, pxe(7)), FROM_CLIENT);
  const tp = rawOptions(out!.bytes).get(43)!.slice(5, -1);
  const hex = (a: number[]) =>
    a.map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.match(sent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.equal(
    sent,
    `00-${hex(tp.slice(1, 17))}-${hex(tp.slice(17, 25))}-${hex(tp.slice(25))}`,
  );
});
