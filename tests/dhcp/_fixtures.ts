/**
 * Annotated DHCP packets shared by the codec tests, the fuzz test and the
 * benchmark. Each is built from byte literals with a comment per field.
 *
 * @module
 */

/** Concatenates byte arrays and numbers into one packet. */
export function packet(
  ...parts: (number | number[] | Uint8Array)[]
): Uint8Array {
  const flat: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") flat.push(part);
    else flat.push(...part);
  }
  return Uint8Array.from(flat);
}

/** `n` zero bytes. */
export function zeros(n: number): number[] {
  return new Array(n).fill(0);
}

/** ASCII bytes of a string. */
export function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/** The BOOTP magic cookie. */
// deno-fmt-ignore
export const COOKIE = [99, 130, 83, 99];

/**
 * Header of a client request from 52:54:00:12:34:56, xid 0x3903f326,
 * everything else zero. 236 bytes; the options start after {@link COOKIE}.
 */
export function requestHeader(
  {
    secs = 0,
    flags = 0,
    ciaddr = [0, 0, 0, 0],
    giaddr = [0, 0, 0, 0],
    hops = 0,
  } = {},
): number[] {
  return [
    ...[1], // op: BOOTREQUEST
    ...[1], // htype: Ethernet
    ...[6], // hlen: 6
    ...[hops], // hops
    ...[0x39, 0x03, 0xf3, 0x26], // xid
    ...[secs >> 8, secs & 0xff], // secs
    ...[flags >> 8, flags & 0xff], // flags
    ...ciaddr, // ciaddr
    ...[0, 0, 0, 0], // yiaddr
    ...[0, 0, 0, 0], // siaddr
    ...giaddr, // giaddr
    ...[0x52, 0x54, 0x00, 0x12, 0x34, 0x56], // chaddr (hlen bytes)
    ...zeros(10), // chaddr padding
    ...zeros(64), // sname
    ...zeros(128), // file
  ];
}

/** A DISCOVER as dhclient sends it (300 bytes, padded). */
// deno-fmt-ignore
export const DHCLIENT_DISCOVER: Uint8Array = packet(
  requestHeader(),
  COOKIE,
  [53, 1, 1], // message type: DISCOVER
  [50, 4, 192, 168, 1, 10], // requested IP 192.168.1.10
  [12, 5, ...ascii("node1")], // host name "node1"
  [55, 13, 1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42], // parameter list
  [255], // end
  zeros(300 - 240 - 3 - 6 - 7 - 15 - 1), // pad to 300
);

/** A DISCOVER as x86-64 UEFI PXE firmware sends it. */
// deno-fmt-ignore
export const PXE_DISCOVER: Uint8Array = packet(
  requestHeader({ secs: 4, flags: 0x8000 }),
  COOKIE,
  [53, 1, 1], // message type: DISCOVER
  [57, 2, 0x05, 0xc0], // max message size 1472
  [55, 35, ...Array.from({ length: 35 }, (_, i) => i + 1)], // parameter list 1..35
  [97, 17, 0, ...Array.from({ length: 16 }, (_, i) => 0x10 + i)], // UUID, type 0
  [94, 3, 1, 3, 16], // NDI: UNDI 3.16
  [93, 2, 0, 7], // client arch: 7 (x64 UEFI)
  [60, 32, ...ascii("PXEClient:Arch:00007:UNDI:003016")], // vendor class
  [255], // end
);

/** A DISCOVER as iPXE sends it: plain user class and encapsulated options. */
// deno-fmt-ignore
export const IPXE_DISCOVER: Uint8Array = packet(
  requestHeader(),
  COOKIE,
  [53, 1, 1], // message type: DISCOVER
  [57, 2, 0x05, 0xc0], // max message size 1472
  [93, 2, 0, 7], // client arch: 7
  [94, 3, 1, 3, 10], // NDI: UNDI 3.10
  [60, 32, ...ascii("PXEClient:Arch:00007:UNDI:003010")], // vendor class
  [77, 4, ...ascii("iPXE")], // user class, plain string form
  [55, 7, 1, 3, 6, 12, 15, 17, 175], // parameter list
  [175, 6, 0xb1, 1, 1, 0x13, 1, 1], // iPXE: bus-id? 177=1, 19 (https)=1
  [61, 7, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56], // client id: type 1 + MAC
  [97, 17, 0, ...zeros(16)], // UUID, type 0, all zero
  [255], // end
);

/** A relayed REQUEST with option 82 last. */
// deno-fmt-ignore
export const RELAYED_REQUEST: Uint8Array = packet(
  requestHeader({ giaddr: [10, 0, 0, 1], hops: 1 }),
  COOKIE,
  [53, 1, 3], // message type: REQUEST
  [50, 4, 10, 0, 0, 50], // requested IP 10.0.0.50
  [54, 4, 10, 0, 0, 2], // server identifier 10.0.0.2
  [61, 7, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56], // client id
  [82, 12], // relay agent information, 12 bytes:
  [1, 4, ...ascii("eth0")], // circuit id "eth0"
  [2, 4, 0xde, 0xad, 0xbe, 0xef], // remote id
  [255], // end
  zeros(20), // padding
);

/** An OFFER carrying netboot options, as a server would send it. */
// deno-fmt-ignore
export const NETBOOT_OFFER: Uint8Array = packet(
  [2, 1, 6, 0], // op BOOTREPLY, htype, hlen, hops
  [0x39, 0x03, 0xf3, 0x26], // xid
  [0, 0, 0x80, 0], // secs, flags (broadcast)
  [0, 0, 0, 0], // ciaddr
  [192, 168, 1, 10], // yiaddr 192.168.1.10
  [192, 168, 1, 2], // siaddr (next server) 192.168.1.2
  [0, 0, 0, 0], // giaddr
  [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], // chaddr
  zeros(10), // chaddr padding
  zeros(64), // sname
  ascii("snp.efi"),
  zeros(128 - 7), // file "snp.efi"
  COOKIE,
  [53, 1, 2], // message type: OFFER
  [54, 4, 192, 168, 1, 2], // server identifier
  [51, 4, 0, 0, 0x0e, 0x10], // lease time 3600
  [58, 4, 0, 0, 0x07, 0x08], // renewal 1800
  [59, 4, 0, 0, 0x0c, 0x4e], // rebinding 3150
  [1, 4, 255, 255, 255, 0], // subnet mask
  [3, 4, 192, 168, 1, 1], // router
  [6, 8, 1, 1, 1, 1, 8, 8, 8, 8], // DNS 1.1.1.1, 8.8.8.8
  [12, 5, ...ascii("node1")], // host name
  [15, 11, ...ascii("example.com")], // domain name
  [28, 4, 192, 168, 1, 255], // broadcast
  [42, 4, 192, 168, 1, 1], // NTP
  [60, 9, ...ascii("PXEClient")], // vendor class
  [43, 3, 6, 1, 8], // PXE: discovery control = 8
  [66, 11, ...ascii("192.168.1.2")], // TFTP server
  [67, 7, ...ascii("snp.efi")], // boot file
  [119, 19], // domain search, 19 bytes:
  [7, ...ascii("example"), 3, ...ascii("com"), 0], // "example.com" at value offset 0
  [3, ...ascii("eng"), 0xc0, 0], // "eng" + pointer to offset 0: "eng.example.com"
  [121, 11, 8, 10, 192, 168, 1, 1, 0, 192, 168, 1, 1], // 10/8 via .1, default via .1
  [255], // end
);
