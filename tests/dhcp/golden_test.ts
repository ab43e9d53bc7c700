/**
 * Golden packets: real client and server packets captured with dhclient,
 * udhcpc and dhcpcd against dnsmasq (tests/testdata/golden/NAME.bin, the
 * UDP payload, with NAME.json, tshark's dissection of that packet). Each
 * decodes to the fields tshark reports and re-encodes to the same bytes,
 * both copied from the packet and rebuilt from the option store.
 */
import assert from "node:assert/strict";
import { formatHex } from "../../lib/bytes/hex.ts";
import {
  decodeMessage,
  type DhcpMessage,
  encodeMessage,
} from "../../lib/dhcp/message.ts";
import {
  clientArchList,
  clientNdi,
  clientUuid,
  domainList,
  ip,
  ipList,
  type OptionValueCodec,
  parameterList,
  relayAgentInfo,
  text,
  u16,
  u32,
  u8,
  userClass,
  vendorSubOptions,
} from "../../lib/dhcp/option_values.ts";
import { assertRoundTrip, trimPad } from "./_round_trip.ts";
import {
  all,
  findLayer,
  isObject,
  one,
  parseTsharkJson,
  type TsharkObject,
} from "./_tshark_json.ts";

const DIR = Deno.env.get("DHCP_GOLDEN_DIR") ??
  new URL("../testdata/golden/", import.meta.url).pathname;

function goldenNames(): string[] {
  try {
    return [...Deno.readDirSync(DIR)]
      .filter((e) => e.isFile && e.name.endsWith(".bin"))
      .map((e) => e.name.slice(0, -4))
      .filter((name) => {
        try {
          return Deno.statSync(`${DIR}/${name}.json`).isFile;
        } catch {
          return false;
        }
      })
      .sort();
  } catch {
    return [];
  }
}

type Check = {
  code: number;
  actual: (message: DhcpMessage) => unknown;
  expected: (values: string[]) => unknown;
};

const typed = <T>(
  code: number,
  codec: OptionValueCodec<T>,
  expected: (values: string[]) => unknown,
): Check => ({
  code,
  actual: (m) => m.options.getAs(code, codec),
  expected,
});
const first = (values: string[]) => values[0];
const number = (values: string[]) => Number(values[0]);
const numbers = (values: string[]) => values.map(Number);
const list = (values: string[]) => values;
const subOption = (sub: number) => (m: DhcpMessage) =>
  formatHex(
    m.options.getAs(82, relayAgentInfo)?.find((s) => s.code === sub)?.data ??
      new Uint8Array(0),
    0,
    4096,
  );

/** tshark field -> the option it dissects and how to compare. */
const CHECKS: Record<string, Check> = {
  "dhcp.option.dhcp": typed(53, u8, number),
  "dhcp.option.subnet_mask": typed(1, ip, first),
  "dhcp.option.router": typed(3, ipList, list),
  "dhcp.option.domain_name_server": typed(6, ipList, list),
  "dhcp.option.hostname": typed(12, text, first),
  "dhcp.option.domain_name": typed(15, text, first),
  "dhcp.option.broadcast_address": typed(28, ip, first),
  "dhcp.option.ntp_server": typed(42, ipList, list),
  "dhcp.option.requested_ip_address": typed(50, ip, first),
  "dhcp.option.ip_address_lease_time": typed(51, u32, number),
  "dhcp.option.dhcp_server_id": typed(54, ip, first),
  "dhcp.option.request_list_item": typed(55, parameterList, numbers),
  "dhcp.option.message": typed(56, text, first),
  "dhcp.option.dhcp_max_message_size": typed(57, u16, number),
  "dhcp.option.renewal_time_value": typed(58, u32, number),
  "dhcp.option.rebinding_time_value": typed(59, u32, number),
  "dhcp.option.vendor_class_id": typed(60, text, first),
  "dhcp.option.tftp_server_name": typed(66, text, first),
  "dhcp.option.bootfile_name": typed(67, text, first),
  "dhcp.option.user_class.text": typed(77, userClass, list),
  "dhcp.option.client_system_architecture": typed(93, clientArchList, numbers),
  "dhcp.client_network_id_major": {
    code: 94,
    actual: (m) => m.options.getAs(94, clientNdi)?.major,
    expected: number,
  },
  "dhcp.client_network_id_minor": {
    code: 94,
    actual: (m) => m.options.getAs(94, clientNdi)?.minor,
    expected: number,
  },
  "dhcp.client_id.uuid": typed(97, clientUuid, first),
  "dhcp.option.dhcp_dns_domain_search_list_fqdn": typed(119, domainList, list),
  "dhcp.option.vendor.pxeclient.suboption": {
    code: 43,
    actual: (m) => m.options.getAs(43, vendorSubOptions)?.map((s) => s.code),
    expected: numbers,
  },
  "dhcp.option.agent_information_option.agent_circuit_id": {
    code: 82,
    actual: subOption(1),
    expected: first,
  },
  "dhcp.option.agent_information_option.agent_remote_id": {
    code: 82,
    actual: subOption(2),
    expected: first,
  },
};

/** The options tshark dissected: [code, tree] pairs in packet order. */
function optionTrees(layer: TsharkObject): [number, TsharkObject][] {
  const codes = all(layer, "dhcp.option.type");
  const trees = all(layer, "dhcp.option.type_tree");
  assert.equal(
    codes.length,
    trees.length,
    "dhcp.option.type and _tree counts differ",
  );
  const out: [number, TsharkObject][] = [];
  codes.forEach((code, i) => {
    const tree = trees[i];
    if (!isObject(tree)) return;
    if (
      one(tree, "dhcp.option.end") !== undefined ||
      one(tree, "dhcp.option.padding") !== undefined
    ) return;
    out.push([Number(code), tree]);
  });
  return out;
}

function checkHeader(message: DhcpMessage, layer: TsharkObject): void {
  const field = (key: string) => {
    const value = one(layer, key);
    assert.notEqual(value, undefined, `tshark has no ${key}`);
    return value!;
  };
  assert.equal(message.op, Number(field("dhcp.type")), "op");
  assert.equal(
    message.hardwareType,
    parseInt(field("dhcp.hw.type"), 16),
    "htype",
  );
  assert.equal(message.hardwareLength, Number(field("dhcp.hw.len")), "hlen");
  assert.equal(message.hops, Number(field("dhcp.hops")), "hops");
  assert.equal(message.transactionId, parseInt(field("dhcp.id"), 16), "xid");
  assert.equal(message.seconds, Number(field("dhcp.secs")), "secs");
  assert.equal(message.flags, parseInt(field("dhcp.flags"), 16), "flags");
  assert.equal(message.clientIp, field("dhcp.ip.client"), "ciaddr");
  assert.equal(message.yourIp, field("dhcp.ip.your"), "yiaddr");
  assert.equal(message.serverIp, field("dhcp.ip.server"), "siaddr");
  assert.equal(message.gatewayIp, field("dhcp.ip.relay"), "giaddr");
  const mac = one(layer, "dhcp.hw.mac_addr");
  if (mac !== undefined) {
    assert.equal(message.clientHardwareAddress, mac, "chaddr");
  }
  if (!message.options.has(52)) {
    assert.equal(message.serverName, one(layer, "dhcp.server") ?? "", "sname");
    assert.equal(message.bootFileName, one(layer, "dhcp.file") ?? "", "file");
  }
}

function checkOptions(message: DhcpMessage, layer: TsharkObject): string[] {
  const trees = optionTrees(layer);
  const checked: string[] = [];
  // Raw bytes: per code, tshark's values concatenated (RFC 3396) in order.
  const raw = new Map<number, string[]>();
  for (const [code, tree] of trees) {
    const value = one(tree, "dhcp.option.value");
    if (value !== undefined) raw.set(code, [...(raw.get(code) ?? []), value]);
  }
  assert.deepEqual(
    message.options.codes().filter((c) => c !== 52),
    [...new Set(trees.map(([c]) => c))].filter((c) => c !== 52),
  );
  for (const [code, parts] of raw) {
    const bytes = message.options.get(code);
    assert.ok(bytes, `option ${code} missing`);
    assert.equal(
      formatHex(bytes, 0, bytes.length),
      parts.filter((p) => p !== "").join(":"),
      `option ${code} bytes`,
    );
  }
  for (const [code, tree] of trees) {
    for (const [key, check] of Object.entries(CHECKS)) {
      const values = all(tree, key).map(String);
      if (values.length === 0 || check.code !== code) continue;
      assert.deepEqual(
        check.actual(message),
        check.expected(values),
        `${key} (option ${code})`,
      );
      checked.push(key);
    }
    // Client identifier: hardware type + MAC, as tshark splits it.
    const mac = one(tree, "dhcp.hw.mac_addr");
    if (code === 61 && mac !== undefined) {
      const id = message.options.get(61)!;
      assert.equal(
        formatHex(id, 1, id.length - 1),
        mac,
        "client identifier MAC",
      );
      assert.equal(
        id[0],
        parseInt(one(tree, "dhcp.hw.type") ?? "1", 16),
        "client identifier type",
      );
      checked.push("client id");
    }
  }
  return checked;
}

const names = goldenNames();

if (names.length === 0) {
  Deno.test({
    name: "golden - captured packets are present",
    ignore: true, // tests/testdata/golden/ holds no NAME.bin + NAME.json pairs
    fn() {},
  });
}

for (const name of names) {
  Deno.test(`golden - ${name} decodes to tshark's fields and re-encodes byte for byte`, () => {
    const bytes = Deno.readFileSync(`${DIR}/${name}.bin`);
    const layer = findLayer(
      parseTsharkJson(Deno.readTextFileSync(`${DIR}/${name}.json`)),
      "dhcp",
    );
    assert.ok(layer, `${name}.json has no dhcp layer`);
    const message = assertRoundTrip(bytes, 65535);
    // Rebuilt from the option store (not copied from the packet): same bytes.
    const rebuilt = decodeMessage(bytes);
    const code = rebuilt.options.codes()[0];
    rebuilt.options.set(code, rebuilt.options.get(code)!.slice());
    assert.deepEqual(
      trimPad(encodeMessage(rebuilt, { maxSize: 65535 })),
      trimPad(bytes),
    );
    checkHeader(message, layer);
    const checked = checkOptions(message, layer);
    assert.ok(
      checked.includes("dhcp.option.dhcp"),
      "message type not compared",
    );
  });
}
