/**
 * Subprocess entry for the proxyDHCP namespace tests: a PXE-like client
 * that does what PXE firmware does beside a proxyDHCP server, with
 * ordinary UDP sockets (the client's interface has a link-local address
 * so that broadcasts can be sent; every request has the broadcast flag).
 *
 * 1. DISCOVER as a PXE client (60, 93, 94, 97, 55) to 255.255.255.255:67;
 *    keep every OFFER until there is one with an address and, when asked
 *    for, a proxy one (yiaddr 0, option 60 PXEClient/HTTPClient).
 * 2. REQUEST the address from its server, add it to the interface.
 * 3. With `pxeRequest`, for each proxy offer: REQUEST to the proxy's port
 *    4011 from the new address and port 4011 (as EDK2 does).
 *
 * `deno run -A tests/server/_pxe_client.ts '{"iface":"x","mac":"..."}'`
 * prints one JSON line: what it got (see {@linkcode PxeClientResult}).
 *
 * @module
 */
import dgram from "node:dgram";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import { DhcpOptions } from "../../lib/dhcp/options.ts";

/** The JSON argument. */
export interface PxeClientArgs {
  /** Interface (gets the leased address). */
  iface: string;
  /** Client MAC (the interface's). */
  mac: string;
  /** Option 93. @default 7 */
  arch?: number;
  /** `PXEClient` or `HTTPClient`. @default "PXEClient" */
  vendor?: string;
  /** Wait for this many proxy offers too. @default 0 */
  expectProxy?: number;
  /** Do the port 4011 exchange with each proxy that offered. */
  pxeRequest?: boolean;
  /** Give up on each step after this long. @default 10000 */
  timeoutMs?: number;
}

/** One reply seen, decoded. */
export interface SeenReply {
  /** Message type (option 53). */
  type: number;
  /** Source address and port of the datagram. */
  from: string;
  /** yiaddr. */
  yiaddr: string;
  /** Option 54. */
  serverId?: string;
  /** Option 60. */
  vendor?: string;
}

/** What the client prints. */
export interface PxeClientResult {
  /** Every OFFER seen. */
  offers: SeenReply[];
  /** The address server's ACK. */
  ack?: SeenReply;
  /** The proxies' ACKs on port 4011. */
  pxeAcks: SeenReply[];
  /** The leased address. */
  address?: string;
  /** What went wrong, if anything. */
  error?: string;
}

const UUID = [0, ...Array.from({ length: 16 }, (_, i) => 0xa0 + i)];

function build(
  args: PxeClientArgs,
  xid: number,
  type: number,
  extra: [number, number[]][],
  clientIp = "0.0.0.0",
): Uint8Array {
  const arch = args.arch ?? 7;
  const vendor = `${args.vendor ?? "PXEClient"}:Arch:${
    String(arch).padStart(5, "0")
  }:UNDI:003016`;
  const options = new DhcpOptions([[53, Uint8Array.of(type)]]);
  for (const [code, value] of extra) options.set(code, Uint8Array.from(value));
  options.set(57, Uint8Array.of(0x05, 0xc0));
  options.set(93, Uint8Array.of(arch >> 8, arch & 255));
  options.set(94, Uint8Array.of(1, 3, 16));
  options.set(97, Uint8Array.from(UUID));
  options.set(
    55,
    Uint8Array.of(1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 28, 43, 60, 66, 67, 97),
  );
  options.set(60, new TextEncoder().encode(vendor));
  return encodeMessage({
    op: 1,
    hardwareType: 1,
    hardwareLength: 6,
    hops: 0,
    transactionId: xid,
    seconds: 4,
    flags: 0x8000,
    clientIp,
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: "0.0.0.0",
    clientHardwareAddress: args.mac,
    serverName: "",
    bootFileName: "",
    options,
  });
}

const quad = (ip: string) => ip.split(".").map(Number);

async function open(host: string, port: number) {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((r) => socket.bind(port, host, () => r()));
  socket.setBroadcast(true);
  const seen: SeenReply[] = [];
  let wake = () => {};
  socket.on("message", (msg, rinfo) => {
    try {
      const m = decodeMessage(new Uint8Array(msg));
      if (m.op !== 2) return;
      const sid = m.options.get(54);
      const vendor = m.options.get(60);
      seen.push({
        type: m.options.get(53)?.[0] ?? 0,
        from: `${rinfo.address}:${rinfo.port}`,
        yiaddr: m.yourIp,
        serverId: sid ? Array.from(sid).join(".") : undefined,
        vendor: vendor ? new TextDecoder().decode(vendor) : undefined,
        xid: m.transactionId,
      } as SeenReply);
      wake();
    } catch { /* not DHCP */ }
  });
  return {
    seen: seen as (SeenReply & { xid: number })[],
    send: (bytes: Uint8Array, address: string, to: number) =>
      new Promise<void>((resolve, reject) =>
        socket.send(bytes, to, address, (e) => e ? reject(e) : resolve())
      ),
    async waitFor(done: () => boolean, ms: number): Promise<boolean> {
      const end = Date.now() + ms;
      while (!done() && Date.now() < end) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return done();
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

async function main(args: PxeClientArgs): Promise<PxeClientResult> {
  const timeout = args.timeoutMs ?? 10000;
  const xid = crypto.getRandomValues(new Uint32Array(1))[0];
  const result: PxeClientResult = { offers: [], pxeAcks: [] };
  const dhcp = await open("0.0.0.0", 68);
  try {
    const mine = () => dhcp.seen.filter((r) => r.xid === xid);
    const addressOffer = () =>
      mine().find((r) => r.type === 2 && r.yiaddr !== "0.0.0.0");
    const proxyOffers = () =>
      mine().filter((r) => r.type === 2 && r.yiaddr === "0.0.0.0");
    await dhcp.send(build(args, xid, 1, []), "255.255.255.255", 67);
    await dhcp.waitFor(
      () => !!addressOffer() && proxyOffers().length >= (args.expectProxy ?? 0),
      timeout,
    );
    result.offers = mine().filter((r) => r.type === 2);
    const offer = addressOffer();
    if (!offer) return { ...result, error: "no address offer" };
    await dhcp.send(
      build(args, xid, 3, [[54, quad(offer.serverId!)], [
        50,
        quad(offer.yiaddr),
      ]]),
      "255.255.255.255",
      67,
    );
    await dhcp.waitFor(
      () => mine().some((r) => r.type === 5 && r.serverId === offer.serverId),
      timeout,
    );
    result.ack = mine().find((r) =>
      r.type === 5 && r.serverId === offer.serverId
    );
    if (!result.ack) {
      return { ...result, error: "no ACK from the address server" };
    }
    result.address = offer.yiaddr;
    const add = await new Deno.Command("ip", {
      args: ["addr", "add", `${offer.yiaddr}/24`, "dev", args.iface],
    }).output();
    if (!add.success) return { ...result, error: "ip addr add failed" };
    if (!args.pxeRequest) return result;
    const pxe = await open(offer.yiaddr, 4011);
    try {
      for (const [i, proxy] of proxyOffers().entries()) {
        const xid2 = (xid ^ (0x5a5a + i)) >>> 0;
        await pxe.send(
          build(args, xid2, 3, [[54, quad(proxy.serverId!)]], offer.yiaddr),
          proxy.serverId!,
          4011,
        );
        await pxe.waitFor(() => pxe.seen.some((r) => r.xid === xid2), timeout);
        const ack = pxe.seen.find((r) => r.xid === xid2);
        if (ack) result.pxeAcks.push(ack);
        else result.error = `no ACK on port 4011 from ${proxy.serverId}`;
      }
    } finally {
      await pxe.close();
    }
    return result;
  } finally {
    await dhcp.close();
  }
}

if (import.meta.main) {
  const result = await main(JSON.parse(Deno.args[0]) as PxeClientArgs);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}
