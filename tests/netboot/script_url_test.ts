import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { decodeMessage } from "../../lib/dhcp/message.ts";
import { hostScriptUrl } from "../../lib/netboot/http/server.ts";
import { decideNetboot } from "../../lib/server/netboot.ts";
import { resolveSettings } from "../../lib/server/options.ts";
import { request } from "../server/_support.ts";

const MAC = "08:00:27:29:4e:67";
const base = "http://10.0.0.1:8080";
const ipxe = decodeMessage(request(1, [
  [60, "PXEClient:Arch:00007:UNDI:003016"],
  [93, [0, 7]],
  [77, "Tinkerbell"],
]));

function bootFile(reservation: Reservation, global?: string): string {
  const settings = resolveSettings({
    serverIp: "10.0.0.1",
    netboot: {
      ipxeScriptUrl: global,
      hostScriptUrl: (mac) => hostScriptUrl(base, mac),
    },
  });
  const d = decideNetboot(ipxe, reservation, settings.netboot);
  assert.ok("bootFile" in d, JSON.stringify(d));
  return d.bootFile;
}

Deno.test("netboot - a host's inline script is handed out by URL, after its own ipxeScriptUrl and before the global one", () => {
  const host: Reservation = {
    macAddress: MAC,
    ipAddress: "10.0.0.5",
    netboot: { allowNetboot: true },
    extensions: { ipxeScript: "#!ipxe\n" },
  };
  const url = `${base}/ipxe-script/08-00-27-29-4e-67`;
  assert.equal(bootFile(host), url);
  assert.equal(bootFile(host, "http://g/auto.ipxe"), url);
  assert.equal(
    bootFile({
      ...host,
      netboot: { allowNetboot: true, ipxeScriptUrl: "http://h/own.ipxe" },
    }),
    "http://h/own.ipxe",
  );
  const { extensions: _, ...plain } = host;
  assert.equal(bootFile(plain, "http://g/auto.ipxe"), "http://g/auto.ipxe");
});
