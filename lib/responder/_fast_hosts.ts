/**
 * A single-pass reader for the common shape of a reservations file: MAC
 * keys in column 0, each host a block mapping of plain scalars, with block
 * (`- item`) or one-line flow (`[a, b]`) lists and a `netboot` block. It
 * builds each {@linkcode Reservation} straight from the text, with no
 * intermediate tree and no per-host line bookkeeping.
 *
 * It accepts only what it can prove valid: at the first thing outside that
 * shape, or the first value that would not validate (a bad address, an
 * unknown or duplicate field, a duplicate MAC, a missing `ipAddress`, a
 * comment after a value, quotes, tabs...), it gives up, and the caller reads
 * the file with the general readers, which find and report every problem
 * with its line. So for any text it either returns exactly what the general
 * path returns, or nothing.
 *
 * @module
 */
import type {
  Reservation,
  ReservationExtensions,
} from "../backend/reservation.ts";
import { resolvePlain } from "./_yaml_scalars.ts";

const UINT32_MAX = 4294967295;
/** Distinct values kept for sharing; beyond this, values are not shared. */
const MAX_SHARED = 4096;

/** Field codes, by the field's exact name. */
const FIELD = {
  ipAddress: 1,
  subnetMask: 2,
  defaultGateway: 3,
  nameServers: 4,
  hostname: 5,
  domainName: 6,
  broadcastAddress: 7,
  ntpServers: 8,
  leaseTime: 9,
  domainSearch: 10,
  netboot: 11,
  tftpServerName: 12,
  bootFileName: 13,
  dhcpDisabled: 14,
} as const;
/** Field names by length, for matching without slicing the line. */
const BY_LENGTH: [string, number][][] = [];
for (const [name, code] of Object.entries(FIELD)) {
  (BY_LENGTH[name.length] ??= []).push([name, code]);
}

/** The code of the field named by `text[s, e)`, or bail. */
function fieldCode(text: string, s: number, e: number): number {
  const candidates = BY_LENGTH[e - s];
  if (candidates !== undefined) {
    for (let i = 0; i < candidates.length; i++) {
      if (text.startsWith(candidates[i][0], s)) return candidates[i][1];
    }
  }
  return bail();
}

/** How a shared value is checked. */
const IP = 0;
const MASK = 1;
const STRING = 2;
type Kind = typeof IP | typeof MASK | typeof STRING;
/** Slots of `#shared`: 0-15 the fields by code, 16-39 list items. */
const SLOTS = 40;

/** Thrown (and caught in {@linkcode FastHostReader.read}) to give up. */
const BAIL = Symbol("bail");
function bail(): never {
  throw BAIL;
}

/** Whether char code `c` is 0-9, a-z or A-Z. */
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
}

/** Whether char code `c` is a hex digit. */
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/**
 * Reads hosts from a reservations file in the common shape, a slice at a
 * time. {@linkcode FastHostReader.read} returns `undefined` (and the reader
 * is done for) as soon as the text leaves that shape.
 */
export class FastHostReader {
  /** The reservations read so far, by lower-case colon MAC. */
  readonly map = new Map<string, Reservation>();
  readonly #text: string;
  /** Distinct shared values. */
  readonly #values = new Map<string, string>();
  /** The last shared value of each slot (see `#shared`). */
  readonly #last: (string | undefined)[] = new Array(SLOTS).fill(undefined);
  /** Start of the next line. */
  #at = 0;
  /** Whether a document start or content was seen (`---` only before). */
  #started = false;
  /** The current content line: start, end (trailing spaces cut), indent. */
  #s = 0;
  #e = 0;
  #indent = -1;

  /**
   * Read `text`.
   *
   * @param text The whole file.
   */
  constructor(text: string) {
    this.#text = text;
    if (text.charCodeAt(0) === 0xfeff) this.#at = 1;
  }

  /**
   * Read up to `hosts` more hosts into {@linkcode FastHostReader.map}.
   *
   * @param hosts How many hosts at most.
   * @returns `true` at the end of the text, `false` when more hosts remain,
   * `undefined` when the text needs the general readers.
   */
  read(hosts = Infinity): boolean | undefined {
    try {
      if (this.#indent === -1) this.#next();
      for (let n = 0; n < hosts; n++) {
        if (this.#indent === -1) return true;
        this.#host();
      }
      return this.#indent === -1;
    } catch (e) {
      if (e === BAIL) return undefined;
      throw e;
    }
  }

  /** Move to the next content line; `#indent` is -1 at the end. */
  #next(): void {
    const text = this.#text;
    const length = text.length;
    while (this.#at <= length) {
      const start = this.#at;
      let i = start;
      while (text.charCodeAt(i) === 32) i++;
      const c = text.charCodeAt(i);
      if (c === 35 /* # */) {
        const end = text.indexOf("\n", i);
        this.#at = end === -1 ? length + 1 : end + 1;
        continue;
      }
      let e = i;
      let end = i;
      while (end < length) {
        const d = text.charCodeAt(end);
        if (d === 10) break;
        end++;
        if (d !== 32 && d !== 13) e = end;
      }
      this.#at = end + 1;
      if (e === i) continue; // blank
      if (i === start && c === 45 /* - */) {
        // Only a first `---` (document start) is in the shape.
        if (this.#started || e - i !== 3 || !text.startsWith("---", i)) bail();
        this.#started = true;
        continue;
      }
      this.#started = true;
      this.#s = i;
      this.#e = e;
      this.#indent = i - start;
      return;
    }
    this.#indent = -1;
  }

  /** One `MAC:` line and its block of fields. */
  #host(): void {
    const text = this.#text;
    if (this.#indent !== 0) bail();
    const s = this.#s;
    const e = this.#e - 1; // the key's end: the line ends with its `:`
    if (text.charCodeAt(e) !== 58 /* : */) bail();
    const mac = normalMac(text, s, e);
    if (this.map.has(mac)) bail();
    const r: Reservation = { macAddress: mac, ipAddress: "" };
    let ext: ReservationExtensions | undefined;
    let seen = 0;
    this.#next();
    const fi = this.#indent;
    if (fi <= 0) bail();
    while (this.#indent === fi) {
      const fs = this.#s;
      const fe = this.#e;
      let colon = fs;
      while (colon < fe && text.charCodeAt(colon) !== 58) colon++;
      const code = fieldCode(text, fs, colon);
      if (seen & (1 << code)) bail();
      seen |= 1 << code;
      let v = colon + 1;
      if (v < fe) {
        if (text.charCodeAt(v) !== 32) bail();
        while (text.charCodeAt(v) === 32) v++;
      }
      if (v >= fe) {
        // A block below the key: a list, or netboot's mapping.
        this.#next();
        switch (code) {
          case FIELD.nameServers:
            r.nameServers = this.#blockList(fi, 16);
            break;
          case FIELD.ntpServers:
            r.ntpServers = this.#blockList(fi, 24);
            break;
          case FIELD.domainSearch:
            r.domainSearch = this.#blockList(fi, 32);
            break;
          case FIELD.netboot:
            this.#netboot(fi, r);
            break;
          default:
            bail();
        }
        continue;
      }
      switch (code) {
        case FIELD.ipAddress:
          r.ipAddress = ip(text, v, fe);
          break;
        case FIELD.subnetMask:
          r.subnetMask = this.#shared(code, v, fe, MASK);
          break;
        case FIELD.defaultGateway:
          r.defaultGateway = this.#shared(code, v, fe, IP);
          break;
        case FIELD.broadcastAddress:
          r.broadcastAddress = this.#shared(code, v, fe, IP);
          break;
        case FIELD.nameServers:
          r.nameServers = this.#flowList(v, fe, 16);
          break;
        case FIELD.ntpServers:
          r.ntpServers = this.#flowList(v, fe, 24);
          break;
        case FIELD.domainSearch:
          r.domainSearch = this.#flowList(v, fe, 32);
          break;
        case FIELD.hostname:
          r.hostname = plainString(text, v, fe);
          break;
        case FIELD.domainName:
          r.domainName = this.#shared(code, v, fe, STRING);
          break;
        case FIELD.leaseTime:
          r.leaseTime = seconds(text, v, fe);
          break;
        case FIELD.tftpServerName:
          (ext ??= {}).tftpServerName = this.#shared(code, v, fe, STRING);
          break;
        case FIELD.bootFileName:
          (ext ??= {}).bootFileName = this.#shared(code, v, fe, STRING);
          break;
        case FIELD.dhcpDisabled:
          (ext ??= {}).dhcpDisabled = bool(text, v, fe);
          break;
        default: // netboot with an inline value
          bail();
      }
      this.#next();
    }
    if (this.#indent > 0 || r.ipAddress === "") bail();
    if (ext) r.extensions = ext;
    this.map.set(mac, r);
  }

  /**
   * `- item` lines deeper than `fi`; the current line is the first. `slot`
   * is the list's first slot (see `#shared`): 16 and 24 for addresses, 32
   * for names.
   */
  #blockList(fi: number, slot: number): string[] {
    const kind = slot === 32 ? STRING : IP;
    const text = this.#text;
    const li = this.#indent;
    if (li <= fi) bail();
    const out: string[] = [];
    while (this.#indent === li) {
      const s = this.#s;
      const e = this.#e;
      if (text.charCodeAt(s) !== 45 || text.charCodeAt(s + 1) !== 32) bail();
      let v = s + 2;
      while (text.charCodeAt(v) === 32) v++;
      out.push(this.#shared(slot + Math.min(out.length, 7), v, e, kind));
      this.#next();
    }
    if (this.#indent > fi) bail();
    return out;
  }

  /** `[a, b]` on one line; `slot` as for `#blockList`. */
  #flowList(s: number, e: number, slot: number): string[] {
    const kind = slot === 32 ? STRING : IP;
    const text = this.#text;
    if (text.charCodeAt(s) !== 91 /* [ */ || text.charCodeAt(e - 1) !== 93) {
      bail();
    }
    const out: string[] = [];
    let i = s + 1;
    while (text.charCodeAt(i) === 32) i++;
    if (i === e - 1) return out; // []
    for (;;) {
      let j = i;
      while (j < e - 1) {
        const c = text.charCodeAt(j);
        if (c === 44 /* , */ || c === 32) break;
        j++;
      }
      out.push(this.#shared(slot + Math.min(out.length, 7), i, j, kind));
      while (text.charCodeAt(j) === 32) j++;
      if (j === e - 1) return out;
      if (text.charCodeAt(j) !== 44) bail();
      j++;
      while (text.charCodeAt(j) === 32) j++;
      i = j;
    }
  }

  /** netboot's block: `allowPxe` and `ipxeScriptUrl`. */
  #netboot(fi: number, r: Reservation): void {
    const text = this.#text;
    const ni = this.#indent;
    if (ni <= fi) bail();
    let allow: boolean | undefined;
    let url: string | undefined;
    while (this.#indent === ni) {
      const s = this.#s;
      const e = this.#e;
      let v: number;
      if (text.startsWith("allowPxe: ", s)) {
        if (allow !== undefined) bail();
        v = s + 10;
        while (text.charCodeAt(v) === 32) v++;
        allow = bool(text, v, e);
      } else if (text.startsWith("ipxeScriptUrl: ", s)) {
        if (url !== undefined) bail();
        v = s + 15;
        while (text.charCodeAt(v) === 32) v++;
        url = plainString(text, v, e);
        if (!URL.canParse(url)) bail();
      } else {
        bail();
      }
      this.#next();
    }
    if (this.#indent > fi) bail();
    r.netboot = { allowNetboot: allow ?? false };
    if (url !== undefined) r.netboot.ipxeScriptUrl = url;
  }

  /**
   * A value of a kind often repeated across hosts (masks, gateways, name
   * servers, domains), checked and stored once: `slot` (the field, or list
   * item) remembers the last value, which a repeat matches without being
   * sliced or checked again.
   */
  #shared(slot: number, s: number, e: number, kind: Kind): string {
    const text = this.#text;
    const last = this.#last[slot];
    if (
      last !== undefined && last.length === e - s && text.startsWith(last, s)
    ) {
      return last;
    }
    if (kind === STRING) plainString(text, s, e);
    else if (kind === MASK) mask(text, s, e);
    else ip(text, s, e);
    let value = text.slice(s, e);
    const known = this.#values.get(value);
    if (known !== undefined) value = known;
    else if (this.#values.size < MAX_SHARED) this.#values.set(value, value);
    this.#last[slot] = value;
    return value;
  }
}

/** The MAC in `text[s, e)` in lower-case colon form, or bail. */
function normalMac(text: string, s: number, e: number): string {
  const length = e - s;
  if (length < 17 || length > 59 || length % 3 !== 2) bail();
  const sep = text.charCodeAt(s + 2);
  if (sep !== 58 && sep !== 45 /* - */) bail();
  let canonical = sep === 58;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(s + i);
    if (i % 3 === 2) {
      if (c !== sep) bail();
    } else if (!isHex(c)) {
      bail();
    } else if (c >= 65 && c <= 70) {
      canonical = false;
    }
  }
  const key = text.slice(s, e);
  return canonical ? key : key.toLowerCase().replaceAll("-", ":");
}

/** The value of a dotted-quad IPv4 address in `text[s, e)`, or bail. */
function ipValue(text: string, s: number, e: number): number {
  let value = 0;
  let i = s;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) bail();
      i++;
    }
    const start = i;
    let octet = 0;
    while (i < e) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + c - 48;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255) bail();
    if (digits > 1 && text.charCodeAt(start) === 48) bail(); // leading zero
    value = value * 256 + octet;
  }
  if (i !== e) bail();
  return value;
}

function ip(text: string, s: number, e: number): string {
  ipValue(text, s, e);
  return text.slice(s, e);
}

function mask(text: string, s: number, e: number): string {
  const inverted = ~ipValue(text, s, e) >>> 0;
  if ((inverted & (inverted + 1)) !== 0) bail();
  return text.slice(s, e);
}

/**
 * A plain scalar that reads as a non-empty string: it starts with a letter
 * or digit, has no spaces and none of `#'"[]{},\`, and is not a number,
 * boolean or null by the YAML core schema.
 */
function plainString(text: string, s: number, e: number): string {
  if (s >= e || !isAlnum(text.charCodeAt(s))) bail();
  for (let i = s + 1; i < e; i++) {
    const c = text.charCodeAt(i);
    if (
      c <= 32 || c >= 127 || c === 35 || c === 39 || c === 34 || c === 91 ||
      c === 93 || c === 123 || c === 125 || c === 44 || c === 92
    ) {
      bail();
    }
  }
  if (text.charCodeAt(e - 1) === 58 /* : */) bail();
  const value = text.slice(s, e);
  if (resolvePlain(value) !== value) bail();
  return value;
}

/** A whole number of seconds written as plain digits. */
function seconds(text: string, s: number, e: number): number {
  if (e - s > 10 || s >= e) bail();
  let value = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) bail();
    value = value * 10 + c - 48;
  }
  if (value > UINT32_MAX) bail();
  return value;
}

function bool(text: string, s: number, e: number): boolean {
  if (e - s === 4 && text.startsWith("true", s)) return true;
  if (e - s === 5 && text.startsWith("false", s)) return false;
  return bail();
}
