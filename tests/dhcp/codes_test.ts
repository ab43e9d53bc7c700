import assert from "node:assert/strict";
import { ClientArch, clientArchName } from "../../lib/dhcp/arch.ts";
import {
  MessageType,
  messageTypeName,
  OptionCode,
  optionName,
} from "../../lib/dhcp/codes.ts";

Deno.test("optionName() names known codes and falls back to unknown (N)", () => {
  assert.equal(optionName(OptionCode.DomainSearch), "DomainSearch");
  assert.equal(optionName(82), "RelayAgentInformation");
  assert.equal(optionName(250), "unknown (250)");
});

Deno.test("messageTypeName() names RFC 2132 message types", () => {
  assert.equal(messageTypeName(MessageType.Discover), "Discover");
  assert.equal(messageTypeName(8), "Inform");
  assert.equal(messageTypeName(99), "unknown (99)");
});

Deno.test("ClientArch follows RFC 4578 and the IANA registry", () => {
  assert.equal(ClientArch.IntelX86Pc, 0);
  assert.equal(ClientArch.EfiIa32, 6);
  assert.equal(ClientArch.EfiX86_64, 7);
  assert.equal(ClientArch.EfiX86_64Alt, 9);
  assert.equal(ClientArch.EfiArm32, 10);
  assert.equal(ClientArch.EfiArm64, 11);
  assert.equal(ClientArch.EfiX86Http, 15);
  assert.equal(ClientArch.EfiX86_64Http, 16);
  assert.equal(ClientArch.ArmUefi32Http, 18);
  assert.equal(ClientArch.ArmUefi64Http, 19);
  assert.equal(ClientArch.ArmRpiboot, 41);
  assert.equal(clientArchName(11), "EfiArm64");
  assert.equal(clientArchName(1000), "unknown (1000)");
});

Deno.test("code tables have unique values", () => {
  for (const table of [OptionCode, MessageType, ClientArch]) {
    const values = Object.values(table);
    assert.equal(new Set(values).size, values.length);
  }
});
