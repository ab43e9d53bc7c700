import assert from "node:assert/strict";
import { MessageType } from "../../lib/dhcp/codes.ts";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import {
  createReply,
  messageTypeOf,
  withBootFile,
  withLeaseTime,
  withMessageType,
  withOption,
  withServerIdentifier,
  withServerIp,
  withYourIp,
} from "../../lib/dhcp/modifiers.ts";
import { ipList, u32 } from "../../lib/dhcp/option_values.ts";
import {
  DHCLIENT_DISCOVER,
  NETBOOT_OFFER,
  RELAYED_REQUEST,
} from "./_fixtures.ts";
import { headerOf } from "./_round_trip.ts";

Deno.test("createReply() copies the request's identity and sets op 2", () => {
  const request = decodeMessage(RELAYED_REQUEST);
  request.flags = 0x8000;
  const reply = createReply(request);
  assert.deepEqual(headerOf(reply), {
    op: 2,
    hardwareType: 1,
    hardwareLength: 6,
    hops: 0,
    transactionId: 0x3903f326,
    seconds: 0,
    flags: 0x8000,
    clientIp: "0.0.0.0",
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: "10.0.0.1",
    clientHardwareAddress: "52:54:00:12:34:56",
    serverName: "",
    bootFileName: "",
  });
});

Deno.test("createReply() echoes client identifier (61) and relay agent info (82)", () => {
  const request = decodeMessage(RELAYED_REQUEST);
  const reply = createReply(request, withMessageType(MessageType.Ack));
  assert.deepEqual(reply.options.codes(), [53, 61, 82]);
  assert.deepEqual(reply.options.get(61), request.options.get(61));
  assert.deepEqual(reply.options.get(82), request.options.get(82));
  const plain = createReply(decodeMessage(DHCLIENT_DISCOVER));
  assert.deepEqual(plain.options.codes(), []);
});

Deno.test("createReply() with modifiers builds the netboot OFFER byte for byte", () => {
  const request = decodeMessage(DHCLIENT_DISCOVER);
  request.flags = 0x8000;
  const offer = decodeMessage(NETBOOT_OFFER);
  const reply = createReply(
    request,
    withMessageType(MessageType.Offer),
    withServerIdentifier("192.168.1.2"),
    withLeaseTime(3600),
    withYourIp("192.168.1.10"),
    withServerIp("192.168.1.2"),
    withBootFile("snp.efi"),
  );
  for (const code of offer.options.codes()) {
    if (!reply.options.has(code)) {
      reply.options.set(code, offer.options.get(code)!);
    }
  }
  assert.deepEqual(
    encodeMessage(reply),
    encodeMessage({ ...offer, options: offer.options.clone() }),
  );
  assert.equal(messageTypeOf(reply), MessageType.Offer);
});

Deno.test("withLeaseTime() sets T1 at 50% and T2 at 87.5%, rounded down", () => {
  const reply = createReply(
    decodeMessage(DHCLIENT_DISCOVER),
    withLeaseTime(1001),
  );
  assert.equal(reply.options.getAs(51, u32), 1001);
  assert.equal(reply.options.getAs(58, u32), 500);
  assert.equal(reply.options.getAs(59, u32), 875);
  assert.throws(() => createReply(reply, withLeaseTime(-1)), RangeError);
});

Deno.test("withOption() sets any option through a codec", () => {
  const reply = createReply(
    decodeMessage(DHCLIENT_DISCOVER),
    withOption(6, ipList, ["1.1.1.1"]),
  );
  assert.deepEqual([...reply.options.get(6)!], [1, 1, 1, 1]);
});

Deno.test("createReply() clears ciaddr and sets the broadcast flag in a NAK", () => {
  const request = decodeMessage(DHCLIENT_DISCOVER);
  request.clientIp = "192.168.1.10";
  const ack = createReply(request, withMessageType(MessageType.Ack));
  assert.equal(ack.clientIp, "192.168.1.10");
  assert.equal(ack.flags, 0);
  const nak = createReply(request, withMessageType(MessageType.Nak));
  assert.equal(nak.clientIp, "0.0.0.0");
  assert.equal(nak.flags, 0x8000);
});

Deno.test("messageTypeOf() reads option 53", () => {
  assert.equal(
    messageTypeOf(decodeMessage(DHCLIENT_DISCOVER)),
    MessageType.Discover,
  );
  assert.equal(
    messageTypeOf(createReply(decodeMessage(DHCLIENT_DISCOVER))),
    undefined,
  );
});
