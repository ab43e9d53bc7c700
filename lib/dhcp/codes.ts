/**
 * DHCPv4 code tables: option codes and message types, each an `as const`
 * object with a same-named union type and a `name()` lookup.
 *
 * @module
 */

/**
 * DHCP option codes (RFC 2132 unless noted). Only the options this project
 * sends or reads are listed; any other code still round-trips as raw bytes.
 */
export const OptionCode = {
  /** RFC 2132 §3.1: padding, never stored. */
  Pad: 0,
  /** RFC 2132 §3.3. */
  SubnetMask: 1,
  /** RFC 2132 §3.4. */
  TimeOffset: 2,
  /** RFC 2132 §3.5. */
  Router: 3,
  /** RFC 2132 §3.6. */
  TimeServer: 4,
  /** RFC 2132 §3.8. */
  DomainNameServer: 6,
  /** RFC 2132 §3.7. */
  LogServer: 7,
  /** RFC 2132 §3.14. */
  HostName: 12,
  /** RFC 2132 §3.15. */
  BootFileSize: 13,
  /** RFC 2132 §3.17. */
  DomainName: 15,
  /** RFC 2132 §3.19. */
  RootPath: 17,
  /** RFC 2132 §5.3. */
  InterfaceMtu: 26,
  /** RFC 2132 §5.5. */
  BroadcastAddress: 28,
  /** RFC 2132 §5.8. */
  StaticRoute: 33,
  /** RFC 2132 §8.3. */
  NtpServers: 42,
  /** RFC 2132 §8.4; PXE sub-options per PXE 2.1 §2.4. */
  VendorSpecificInformation: 43,
  /** RFC 2132 §8.9. */
  NetbiosNameServer: 44,
  /** RFC 2132 §9.1. */
  RequestedIpAddress: 50,
  /** RFC 2132 §9.2. */
  IpAddressLeaseTime: 51,
  /** RFC 2132 §9.3. */
  OptionOverload: 52,
  /** RFC 2132 §9.6. */
  MessageType: 53,
  /** RFC 2132 §9.7. */
  ServerIdentifier: 54,
  /** RFC 2132 §9.8. */
  ParameterRequestList: 55,
  /** RFC 2132 §9.9. */
  Message: 56,
  /** RFC 2132 §9.10. */
  MaximumMessageSize: 57,
  /** RFC 2132 §9.11. */
  RenewalTime: 58,
  /** RFC 2132 §9.12. */
  RebindingTime: 59,
  /** RFC 2132 §9.13. */
  VendorClassIdentifier: 60,
  /** RFC 2132 §9.14. */
  ClientIdentifier: 61,
  /** RFC 2132 §9.4. */
  TftpServerName: 66,
  /** RFC 2132 §9.5. */
  BootFileName: 67,
  /** RFC 3004. */
  UserClass: 77,
  /** RFC 4039. */
  RapidCommit: 80,
  /** RFC 4702. */
  ClientFqdn: 81,
  /** RFC 3046. */
  RelayAgentInformation: 82,
  /** RFC 4578 §2.1. */
  ClientSystemArchitecture: 93,
  /** RFC 4578 §2.2. */
  ClientNetworkInterface: 94,
  /** RFC 4578 §2.5. */
  ClientMachineIdentifier: 97,
  /** RFC 3397. */
  DomainSearch: 119,
  /** RFC 3442. */
  ClasslessStaticRoute: 121,
  /** RFC 4833. */
  TimezonePosix: 100,
  /** RFC 4833. */
  TimezoneTzdb: 101,
  /** RFC 5071: PXELINUX magic. */
  PxelinuxMagic: 208,
  /** RFC 5071: PXELINUX configuration file. */
  PxelinuxConfigFile: 209,
  /** RFC 5071: PXELINUX path prefix. */
  PxelinuxPathPrefix: 210,
  /** iPXE encapsulated options (IANA "tentatively assigned", used by iPXE). */
  IpxeEncapsulated: 175,
  /** RFC 2132 §3.2: end of options, never stored. */
  End: 255,
} as const;

/** One of the option codes in {@linkcode OptionCode}. */
export type OptionCode = typeof OptionCode[keyof typeof OptionCode];

/** DHCP message types, the value of option 53 (RFC 2132 §9.6, RFC 4388). */
export const MessageType = {
  /** RFC 2132 §9.6. */
  Discover: 1,
  /** RFC 2132 §9.6. */
  Offer: 2,
  /** RFC 2132 §9.6. */
  Request: 3,
  /** RFC 2132 §9.6. */
  Decline: 4,
  /** RFC 2132 §9.6. */
  Ack: 5,
  /** RFC 2132 §9.6. */
  Nak: 6,
  /** RFC 2132 §9.6. */
  Release: 7,
  /** RFC 2132 §9.6. */
  Inform: 8,
  /** RFC 3203. */
  ForceRenew: 9,
  /** RFC 4388. */
  LeaseQuery: 10,
  /** RFC 4388. */
  LeaseUnassigned: 11,
  /** RFC 4388. */
  LeaseUnknown: 12,
  /** RFC 4388. */
  LeaseActive: 13,
} as const;

/** One of the message types in {@linkcode MessageType}. */
export type MessageType = typeof MessageType[keyof typeof MessageType];

/**
 * Builds a `code -> name` lookup for an `as const` table.
 *
 * @param table The code table.
 * @returns A function giving the member name, or `unknown (N)`.
 */
export function nameLookup(
  table: Readonly<Record<string, number>>,
): (code: number) => string {
  const names = new Map<number, string>();
  for (const [name, code] of Object.entries(table)) {
    if (!names.has(code)) names.set(code, name);
  }
  return (code) => names.get(code) ?? `unknown (${code})`;
}

const optionNames = nameLookup(OptionCode);
const messageTypeNames = nameLookup(MessageType);

/**
 * The name of a DHCP option code.
 *
 * @param code The option code.
 * @returns The {@linkcode OptionCode} member name, or `unknown (N)`.
 * @example
 * ```ts
 * import { optionName } from "./codes.ts";
 * optionName(53); // "MessageType"
 * optionName(250); // "unknown (250)"
 * ```
 */
export function optionName(code: number): string {
  return optionNames(code);
}

/**
 * The name of a DHCP message type (option 53 value).
 *
 * @param type The message type.
 * @returns The {@linkcode MessageType} member name, or `unknown (N)`.
 * @example
 * ```ts
 * import { messageTypeName } from "./codes.ts";
 * messageTypeName(1); // "Discover"
 * ```
 */
export function messageTypeName(type: number): string {
  return messageTypeNames(type);
}

/** Relay agent information sub-option codes (option 82). */
export const RelayAgentSubOption = {
  /** RFC 3046 §2.1: agent circuit ID. */
  CircuitId: 1,
  /** RFC 3046 §2.2: agent remote ID. */
  RemoteId: 2,
  /** RFC 3527: link selection. */
  LinkSelection: 5,
  /** RFC 3993: subscriber ID. */
  SubscriberId: 6,
  /** RFC 4014: RADIUS attributes. */
  RadiusAttributes: 7,
  /** RFC 4030: authentication. */
  Authentication: 8,
  /** RFC 4243: vendor-specific information. */
  VendorSpecific: 9,
  /** RFC 5010: relay agent flags. */
  Flags: 10,
  /** RFC 5107: server identifier override. */
  ServerIdentifierOverride: 11,
} as const;

/** One of the sub-option codes in {@linkcode RelayAgentSubOption}. */
export type RelayAgentSubOption =
  typeof RelayAgentSubOption[keyof typeof RelayAgentSubOption];

/** PXE vendor sub-option codes carried in option 43 (PXE 2.1 §2.4). */
export const PxeSubOption = {
  /** PXE 2.1: PXE_DISCOVERY_CONTROL (bit field). */
  DiscoveryControl: 6,
  /** PXE 2.1: DISCOVERY_MCAST_ADDR. */
  DiscoveryMulticastAddress: 7,
  /** PXE 2.1: PXE_BOOT_SERVERS. */
  BootServers: 8,
  /** PXE 2.1: PXE_BOOT_MENU. */
  BootMenu: 9,
  /** PXE 2.1: PXE_MENU_PROMPT. */
  MenuPrompt: 10,
  /** PXE 2.1: PXE_BOOT_ITEM. */
  BootItem: 71,
} as const;

/** One of the sub-option codes in {@linkcode PxeSubOption}. */
export type PxeSubOption = typeof PxeSubOption[keyof typeof PxeSubOption];
