/**
 * What a DHCP client learns from an ACK: the lease in plain fields, plus the
 * raw reply.
 *
 * @module
 */
import { OptionCode } from "../dhcp/codes.ts";
import type { DhcpMessage } from "../dhcp/message.ts";
import type { DhcpOptions } from "../dhcp/options.ts";
import {
  domainList,
  ip,
  ipList,
  type OptionValueCodec,
  text,
  u32,
} from "../dhcp/option_values.ts";

/** A lease (or, for INFORM, the configuration without an address). */
export interface DhcpLease {
  /** yiaddr: the address given (`0.0.0.0` for INFORM). */
  address: string;
  /** Option 1. */
  subnetMask?: string;
  /** First address of option 3. */
  router?: string;
  /** Option 6. */
  dnsServers: string[];
  /** Option 12. */
  hostname?: string;
  /** Option 15. */
  domainName?: string;
  /** Option 28. */
  broadcastAddress?: string;
  /** Option 42. */
  ntpServers: string[];
  /** Option 119. */
  domainSearch: string[];
  /** Option 51, seconds. */
  leaseTime?: number;
  /** Option 58, seconds. */
  renewalTime?: number;
  /** Option 59, seconds. */
  rebindingTime?: number;
  /** Option 54. */
  serverId?: string;
  /** Option 67, else the `file` field. */
  bootFile?: string;
  /** siaddr. */
  nextServer: string;
  /** Option 66. */
  tftpServerName?: string;
  /** All options of the reply. */
  options: DhcpOptions;
  /** The reply as decoded. */
  reply: DhcpMessage;
}

function get<T>(
  options: DhcpOptions,
  code: number,
  codec: OptionValueCodec<T>,
): T | undefined {
  try {
    return options.getAs(code, codec);
  } catch {
    return undefined;
  }
}

/**
 * Read the lease fields out of a reply.
 *
 * @param reply An ACK (or OFFER).
 * @returns The lease.
 */
export function leaseFromReply(reply: DhcpMessage): DhcpLease {
  const o = reply.options;
  return {
    address: reply.yourIp,
    subnetMask: get(o, OptionCode.SubnetMask, ip),
    router: get(o, OptionCode.Router, ipList)?.[0],
    dnsServers: get(o, OptionCode.DomainNameServer, ipList) ?? [],
    hostname: get(o, OptionCode.HostName, text),
    domainName: get(o, OptionCode.DomainName, text),
    broadcastAddress: get(o, OptionCode.BroadcastAddress, ip),
    ntpServers: get(o, OptionCode.NtpServers, ipList) ?? [],
    domainSearch: get(o, OptionCode.DomainSearch, domainList) ?? [],
    leaseTime: get(o, OptionCode.IpAddressLeaseTime, u32),
    renewalTime: get(o, OptionCode.RenewalTime, u32),
    rebindingTime: get(o, OptionCode.RebindingTime, u32),
    serverId: get(o, OptionCode.ServerIdentifier, ip),
    bootFile: get(o, OptionCode.BootFileName, text) ||
      (reply.bootFileName || undefined),
    nextServer: reply.serverIp,
    tftpServerName: get(o, OptionCode.TftpServerName, text),
    options: o,
    reply,
  };
}
