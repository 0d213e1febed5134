// Which hosts the emulator may reach on its own: the remote media it fetches (Speechmatics'
// fetch_data, Gladia's and AssemblyAI's audio_url) and the callbacks it sends. A client names
// those URLs, so an emulator others can reach would otherwise fetch or post wherever it is told,
// cloud metadata endpoints included. `--allow-fetch` and `--allow-callback` list the hosts
// allowed (patterns, below); with none, every host is allowed but link-local and cloud-metadata
// ones, which are refused unless a pattern names them explicitly. The address a name resolves
// to is checked too, and so is every redirect a fetch follows (remote-media.ts).
//
// The check resolves the name itself, before the request; the request resolves it again, so a
// name whose DNS answer changes between the two (rebinding) is not caught. It keeps honest
// clients' URLs off metadata endpoints; it is no sandbox.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The flag a policy stands for; refusals name it, so a reader knows what to change. */
export type OutboundFlag = '--allow-fetch' | '--allow-callback';

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Every address a host name resolves to (dns.lookup with `all`); injectable for tests. */
export type Lookup = (host: string) => Promise<readonly ResolvedAddress[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** A pattern that does not parse; its message says why. */
export class OutboundPatternError extends RangeError {
  override readonly name = 'OutboundPatternError';
}

type Family = 'ipv4' | 'ipv6';
const familyOf = (address: string): Family | undefined => ({ 4: 'ipv4', 6: 'ipv6' } as const)[isIP(address) as 4 | 6];

/** One block of addresses (a single address is a block of one). */
interface Block {
  network: string;
  prefix: number;
  family: Family;
  list: BlockList;
}

function block(network: string, prefix: number, family: Family): Block {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { network, prefix, family, list };
}

/**
 * Refused unless a pattern names them explicitly: link-local addresses (where AWS, GCP, Azure
 * and Oracle answer metadata, 169.254.169.254), AWS's IPv6 metadata address, Alibaba Cloud's,
 * and the link-local block through the NAT64 prefix. BlockList matches IPv4-mapped IPv6
 * addresses (`::ffff:169.254.169.254`) against the IPv4 blocks too.
 */
const ALWAYS_REFUSED: readonly Block[] = [
  block('169.254.0.0', 16, 'ipv4'),
  block('100.100.100.200', 32, 'ipv4'),
  block('fe80::', 10, 'ipv6'),
  block('fd00:ec2::254', 128, 'ipv6'),
  block('64:ff9b::a9fe:0', 112, 'ipv6'),
];
/** Metadata services' host names (GCP's), refused unless named explicitly. */
const REFUSED_NAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata']);

const alwaysRefused = (address: string, family: Family) => ALWAYS_REFUSED.some((b) => b.list.check(address, family));

/** A parsed `--allow-fetch`/`--allow-callback` pattern. */
export type AllowRule =
  | { kind: 'name'; pattern: string; port?: number; matches: (host: string) => boolean; exact: boolean }
  | { kind: 'address'; pattern: string; port?: number; block: Block };

const NAME = /^[a-z0-9_*]([a-z0-9_*-]*[a-z0-9_*])?(\.[a-z0-9_*]([a-z0-9_*-]*[a-z0-9_*])?)*$/;

function parsePort(text: string, pattern: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new OutboundPatternError(`${JSON.stringify(pattern)}: the port must be a number from 1 to 65535`);
  return port;
}

/**
 * A pattern: a host name, `*` standing for any run of characters (`*.example.com` is every name
 * under example.com, not example.com itself; `*` alone is every host); an IP address
 * (`10.1.2.3`, `::1`, `[::1]`); or a block in CIDR notation (`10.0.0.0/8`, `fd00::/8`); each
 * optionally with `:port` (`media.example.com:8443`, `[::1]:8080`, `10.0.0.0/8:80`).
 */
export function parseAllowPattern(text: string): AllowRule {
  const pattern = text.trim();
  if (pattern === '') throw new OutboundPatternError('an empty pattern; give a host name, an address or a CIDR block');
  let host = pattern;
  let port: number | undefined;
  if (pattern.startsWith('[')) {
    const close = pattern.indexOf(']');
    const rest = close < 0 ? undefined : pattern.slice(close + 1);
    if (rest === undefined || (rest !== '' && !rest.startsWith(':'))) throw new OutboundPatternError(`${JSON.stringify(pattern)}: a bracketed IPv6 address is [address] or [address]:port`);
    host = pattern.slice(1, close);
    if (rest !== '') port = parsePort(rest.slice(1), pattern);
  } else if (pattern.split(':').length === 2) {
    const at = pattern.lastIndexOf(':');
    host = pattern.slice(0, at);
    port = parsePort(pattern.slice(at + 1), pattern);
  }
  const withPort = port === undefined ? {} : { port };
  const slash = host.indexOf('/');
  if (slash >= 0) {
    const network = host.slice(0, slash);
    const family = familyOf(network);
    const bits = host.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family) throw new OutboundPatternError(`${JSON.stringify(pattern)}: a CIDR block is an IP address, a slash and a prefix length (10.0.0.0/8)`);
    if (!(prefix <= (family === 'ipv4' ? 32 : 128))) throw new OutboundPatternError(`${JSON.stringify(pattern)}: the prefix length is 0 to ${family === 'ipv4' ? 32 : 128}`);
    return { kind: 'address', pattern, ...withPort, block: block(network, prefix, family) };
  }
  const family = familyOf(host);
  if (family) return { kind: 'address', pattern, ...withPort, block: block(host, family === 'ipv4' ? 32 : 128, family) };
  // Names as URLs spell them: lower case, punycode for non-ASCII, no trailing dot.
  if (!/^[\p{L}\p{N}_*.-]+$/u.test(host)) throw new OutboundPatternError(`${JSON.stringify(pattern)} is neither a host name, an IP address nor a CIDR block`);
  let name: string;
  try {
    name = new URL(`http://${host}/`).hostname.replace(/\.$/, '');
  } catch {
    throw new OutboundPatternError(`${JSON.stringify(pattern)} is neither a host name, an IP address nor a CIDR block`);
  }
  if (familyOf(name)) return { kind: 'address', pattern, ...withPort, block: block(name, familyOf(name) === 'ipv4' ? 32 : 128, familyOf(name)!) };
  if (!NAME.test(name)) throw new OutboundPatternError(`${JSON.stringify(pattern)} is neither a host name, an IP address nor a CIDR block`);
  const exact = !name.includes('*');
  const source = name.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  const regex = new RegExp(`^${source}$`);
  return { kind: 'name', pattern, ...withPort, exact, matches: exact ? (host) => host === name : (host) => regex.test(host) };
}

/** Comma-separated patterns (the SPEECHDOUBLE_ALLOW_* variables): each parsed, empty ones skipped. */
export function parseAllowList(text: string): string[] {
  const patterns = text.split(',').map((p) => p.trim()).filter(Boolean);
  patterns.forEach(parseAllowPattern);
  return patterns;
}

/** Whether a rule names this address on purpose: the address itself, or a block inside a refused one. */
function namesExplicitly(rule: AllowRule, address: string, family: Family): boolean {
  if (rule.kind !== 'address' || rule.block.family !== family || !rule.block.list.check(address, family)) return false;
  return ALWAYS_REFUSED.some((refused) => refused.family === family && rule.block.prefix >= refused.prefix && refused.list.check(rule.block.network, family));
}

export interface OutboundPolicy {
  readonly flag: OutboundFlag;
  /** The patterns as given; empty: every host but the refused ones. */
  readonly patterns: readonly string[];
  /** Why `url` may not be reached (`refused by --allow-fetch (169.254.169.254)`), or undefined when it may. */
  refusal(url: string | URL): Promise<string | undefined>;
}

export interface OutboundPolicyOptions {
  /** How names are resolved; dns.lookup by default. */
  lookup?: Lookup;
}

/** A policy from patterns; a malformed pattern throws OutboundPatternError. */
export function createOutboundPolicy(flag: OutboundFlag, patterns: readonly string[] = [], options: OutboundPolicyOptions = {}): OutboundPolicy {
  const rules = patterns.map(parseAllowPattern);
  const lookup = options.lookup ?? systemLookup;
  const open = rules.length === 0;
  return {
    flag,
    patterns: [...patterns],
    async refusal(target) {
      let url: URL;
      try {
        url = typeof target === 'string' ? new URL(target) : target;
      } catch {
        return undefined; // not a URL: the request fails as it always did
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      const rulesHere = rules.filter((rule) => rule.port === undefined || rule.port === port);
      const refused = (detail = host) => `refused by ${flag} (${detail})`;
      const family = familyOf(host);
      if (family) {
        if (alwaysRefused(host, family)) return rulesHere.some((rule) => namesExplicitly(rule, host, family)) ? undefined : refused();
        return open || rulesHere.some((rule) => rule.kind === 'address' && rule.block.list.check(host, family)) ? undefined : refused();
      }
      const named = rulesHere.filter((rule) => rule.kind === 'name' && rule.matches(host));
      const namedExactly = named.some((rule) => rule.kind === 'name' && rule.exact);
      if (REFUSED_NAMES.has(host) && !namedExactly) return refused();
      const allowedByName = open || named.length > 0;
      const addressRules = rulesHere.filter((rule) => rule.kind === 'address');
      if (!allowedByName && addressRules.length === 0) return refused();
      let addresses: readonly ResolvedAddress[];
      try {
        addresses = await lookup(host);
      } catch {
        // A name that does not resolve: allowed, the request fails as it would have (ENOTFOUND).
        return allowedByName ? undefined : refused();
      }
      for (const { address } of addresses) {
        const addressFamily = familyOf(address);
        if (!addressFamily) continue;
        if (alwaysRefused(address, addressFamily)) {
          if (!namedExactly && !addressRules.some((rule) => namesExplicitly(rule, address, addressFamily))) return refused(`${host} is ${address}`);
        } else if (!allowedByName && !addressRules.some((rule) => rule.kind === 'address' && rule.block.list.check(address, addressFamily))) {
          return refused(`${host} is ${address}`);
        }
      }
      return addresses.length > 0 || allowedByName ? undefined : refused();
    },
  };
}

/** With no pattern: every host but link-local and cloud-metadata ones. */
export const DEFAULT_FETCH_POLICY: OutboundPolicy = createOutboundPolicy('--allow-fetch');
export const DEFAULT_CALLBACK_POLICY: OutboundPolicy = createOutboundPolicy('--allow-callback');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a listen address is loopback only: 127.0.0.0/8, ::1 (also `[::1]` and IPv4-mapped
 * forms) or `localhost`. Any other name, and the wildcard addresses (0.0.0.0, ::), are not.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (bare === 'localhost') return true;
  const family = familyOf(bare);
  return family !== undefined && LOOPBACK.check(bare, family);
}
