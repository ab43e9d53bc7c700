/**
 * Netboot decisions: which boot file, next server and vendor options a
 * PXE, iPXE or UEFI HTTP boot client gets. Pure: no I/O.
 *
 * Follows tinkerbell/dhcp's reservation handler, with these differences:
 * a host whose netboot is not allowed, or whose architecture has no iPXE
 * binary, gets no boot options at all (tinkerbell sends
 * `/netboot-not-allowed` as the file); PXE clients get option 60
 * `PXEClient` back as the PXE 2.1 specification asks; `siaddr` and option 66
 * always name the same TFTP server, and are left out when the boot file is
 * an HTTP URL.
 *
 * @module
 */

import { bytesFrom } from "../bytes/alloc.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import { pxeVendorOptions as pxeSubOptions } from "../dhcp/sub_options.ts";
import type { Reservation } from "../backend/reservation.ts";
import type { ServerNetbootSettings } from "./options.ts";

/**
 * iPXE binary per client architecture (option 93, RFC 4578 / IANA), as
 * tinkerbell/dhcp maps them: 0-5 BIOS, 6-9/15/16 x86 UEFI, 10/11/18/19
 * ARM UEFI, plus 41 (rpiboot) as ARM.
 */
export const IPXE_BINARY_BY_ARCH: Readonly<Record<number, string>> = {
  /** Intel x86PC (BIOS). */
  0: "undionly.kpxe",
  /** NEC/PC98. */
  1: "undionly.kpxe",
  /** EFI Itanium. */
  2: "undionly.kpxe",
  /** DEC Alpha. */
  3: "undionly.kpxe",
  /** Arc x86. */
  4: "undionly.kpxe",
  /** Intel Lean Client. */
  5: "undionly.kpxe",
  /** EFI IA32. */
  6: "ipxe.efi",
  /** EFI x86-64. */
  7: "ipxe.efi",
  /** EFI Xscale. */
  8: "ipxe.efi",
  /** EFI BC (x86-64). */
  9: "ipxe.efi",
  /** EFI ARM32. */
  10: "snp.efi",
  /** EFI ARM64. */
  11: "snp.efi",
  /** EFI x86 HTTP boot. */
  15: "ipxe.efi",
  /** EFI x86-64 HTTP boot. */
  16: "ipxe.efi",
  /** EFI ARM32 HTTP boot. */
  18: "snp.efi",
  /** EFI ARM64 HTTP boot. */
  19: "snp.efi",
  /** ARM rpiboot. */
  41: "snp.efi",
};

/** PXE option 43 sub-option 6, PXE_DISCOVERY_CONTROL. */
export const PXE_DISCOVERY_CONTROL = 6;
/** Value 8: skip boot server discovery, boot from the file name. */
export const PXE_BOOT_FROM_FILE = 8;
/** Option 43 sub-option carrying the binary traceparent (tinkerbell/dhcp). */
export const TRACEPARENT_SUB_OPTION = 69;

/** What kind of netboot client sent the request. */
export type ClientKind = "PXEClient" | "HTTPClient";

/** A netboot decision: what to put in the reply. */
export interface NetbootDecision {
  /** Boot file: `file` field and option 67. */
  bootFile: string;
  /** `siaddr` (next server). */
  nextServer: string;
  /** Option 66, when the boot file is fetched by TFTP from `nextServer`. */
  tftpServerName?: string;
  /** Option 60 to send back (`PXEClient` or `HTTPClient`). */
  vendorClass: ClientKind;
  /** Option 43 value (PXE sub-options 6 and 69). */
  vendorOptions: Uint8Array;
  /** Which rule applied, for logs and tests. */
  rule: "script" | "http" | "foreign-ipxe" | "tftp";
}

/** Why no boot options were given. */
export interface NoNetboot {
  /** The reason, for the debug log. */
  reason: string;
}

const decoder = new TextDecoder();

/**
 * The client kind, when the request comes from a netboot client: option 60
 * starts with `PXEClient` or `HTTPClient`, and option 93 is present.
 *
 * @param request The decoded request.
 * @returns The kind, or `undefined` for an ordinary DHCP client.
 */
export function netbootClientKind(
  request: DhcpMessage,
): ClientKind | undefined {
  const vendor = request.options.get(60);
  const arch = request.options.get(93);
  if (vendor === undefined || arch === undefined || arch.length < 2) {
    return undefined;
  }
  const text = decoder.decode(vendor);
  if (text.startsWith("PXEClient")) return "PXEClient";
  if (text.startsWith("HTTPClient")) return "HTTPClient";
  return undefined;
}

/**
 * The client architectures of option 93, in order.
 *
 * @param request The decoded request.
 * @returns The 16-bit architecture types.
 */
export function clientArchitectures(request: DhcpMessage): number[] {
  const raw = request.options.get(93) ?? new Uint8Array();
  const out: number[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    out.push(raw[i] << 8 | raw[i + 1]);
  }
  return out;
}

/**
 * Whether option 77 names `wanted`: either iPXE's raw form (the bytes are
 * the text) or RFC 3004 form (length-prefixed entries).
 *
 * @param request The decoded request.
 * @param wanted The user class, for example `iPXE`.
 * @returns `true` when the client sent that user class.
 */
export function hasUserClass(request: DhcpMessage, wanted: string): boolean {
  const raw = request.options.get(77);
  if (raw === undefined || wanted === "") return false;
  if (decoder.decode(raw) === wanted) return true;
  for (let i = 0; i < raw.length;) {
    const len = raw[i];
    if (len === 0 || i + 1 + len > raw.length) return false;
    if (decoder.decode(raw.subarray(i + 1, i + 1 + len)) === wanted) {
      return true;
    }
    i += 1 + len;
  }
  return false;
}

/**
 * Option 43 with PXE sub-options: 6 = 8 (boot from the file name) and,
 * when given, 69 = the binary traceparent, then End (255), through the
 * codec's {@linkcode pxeSubOptions} (PXE 2.1 ends the list with End).
 *
 * @param traceparent 26-byte traceparent, or `undefined`.
 * @returns The option value.
 */
export function pxeVendorOptions(traceparent?: Uint8Array): Uint8Array {
  const subs = [{
    code: PXE_DISCOVERY_CONTROL,
    data: bytesFrom([PXE_BOOT_FROM_FILE]),
  }];
  if (traceparent !== undefined) {
    subs.push({ code: TRACEPARENT_SUB_OPTION, data: traceparent });
  }
  return pxeSubOptions.encode(subs);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/**
 * Decide the boot options of one reply.
 *
 * Rules, in order (tinkerbell/dhcp's order):
 * 1. user class (77) is our iPXE's (`settings.userClass`): the iPXE script
 *    URL (the reservation's, else its inline script's on the built-in HTTP
 *    server, else the global one) as the boot file;
 * 2. option 60 starts with `HTTPClient`: `httpIpxeBinaryUrl/binary`, next
 *    server the URL's host when it is an address, option 60 `HTTPClient`;
 * 3. user class `iPXE` (an iPXE we did not build): `tftp://ip:port/binary`;
 * 4. otherwise the binary name over TFTP.
 *
 * @param request The decoded request.
 * @param reservation The host's reservation.
 * @param settings The server's netboot settings.
 * @param traceparent 26-byte binary traceparent for option 43 sub-option 69.
 * @returns The decision, or why there is none.
 */
export function decideNetboot(
  request: DhcpMessage,
  reservation: Reservation,
  settings: ServerNetbootSettings,
  traceparent?: Uint8Array,
): NetbootDecision | NoNetboot {
  if (!settings.enabled) return { reason: "netboot disabled" };
  const kind = netbootClientKind(request);
  if (kind === undefined) return { reason: "not a netboot client" };
  if (reservation.netboot?.allowNetboot !== true) {
    return { reason: "netboot not allowed for this host" };
  }
  const archs = clientArchitectures(request);
  const arch = archs.find((a) => IPXE_BINARY_BY_ARCH[a] !== undefined);
  if (arch === undefined) {
    return { reason: `no iPXE binary for architecture ${archs.join(",")}` };
  }
  const binary = IPXE_BINARY_BY_ARCH[arch];
  const vendorOptions = pxeVendorOptions(traceparent);
  const tftp = `${settings.tftpIp}:${settings.tftpPort}`;
  const override = reservation.extensions?.bootFileName;
  const tftpName = reservation.extensions?.tftpServerName ?? settings.tftpIp;

  if (hasUserClass(request, settings.userClass)) {
    const inline = reservation.extensions?.ipxeScript && settings.hostScriptUrl
      ? settings.hostScriptUrl(reservation.macAddress)
      : undefined;
    const script = reservation.netboot.ipxeScriptUrl ?? inline ??
      settings.ipxeScriptUrl;
    if (script === undefined && override === undefined) {
      return { reason: "no iPXE script URL for this host or the server" };
    }
    return {
      bootFile: override ?? script!,
      nextServer: "0.0.0.0",
      vendorClass: kind,
      vendorOptions,
      rule: "script",
    };
  }
  if (kind === "HTTPClient") {
    const url = `${settings.httpIpxeBinaryUrl}/${binary}`;
    const host = hostOf(settings.httpIpxeBinaryUrl);
    return {
      bootFile: override ?? url,
      nextServer: /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : "0.0.0.0",
      vendorClass: kind,
      vendorOptions,
      rule: "http",
    };
  }
  if (hasUserClass(request, "iPXE")) {
    return {
      bootFile: override ?? `tftp://${tftp}/${binary}`,
      nextServer: settings.tftpIp,
      tftpServerName: tftpName,
      vendorClass: kind,
      vendorOptions,
      rule: "foreign-ipxe",
    };
  }
  return {
    bootFile: override ?? binary,
    nextServer: settings.tftpIp,
    tftpServerName: tftpName,
    vendorClass: kind,
    vendorOptions,
    rule: "tftp",
  };
}
