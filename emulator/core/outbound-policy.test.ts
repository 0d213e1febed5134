// Which hosts remote media and callbacks may reach: patterns, the hosts refused by default, the
// address a name resolves to (an injected lookup: no DNS), and the listen addresses that count
// as loopback.
import { describe, expect, it } from 'vitest';
import { createOutboundPolicy, isLoopbackHost, OutboundPatternError, parseAllowList, parseAllowPattern, type Lookup } from './outbound-policy.ts';

/** A lookup from a table; a name not in it does not resolve (ENOTFOUND), as in DNS. */
const table = (entries: Record<string, string[]>): Lookup & { asked: string[] } => {
  const asked: string[] = [];
  return Object.assign(async (host: string) => {
    asked.push(host);
    const addresses = entries[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }, { asked });
};

const DNS = {
  'media.example.com': ['93.184.216.34'],
  'cdn.media.example.com': ['93.184.216.35'],
  'rebind.example.net': ['169.254.169.254'],
  'mixed.example.net': ['93.184.216.36', 'fe80::1'],
  'internal.corp': ['10.1.2.3'],
  'metadata.google.internal': ['169.254.169.254'],
  'localhost': ['127.0.0.1', '::1'],
};

const policy = (patterns: string[] = [], flag: '--allow-fetch' | '--allow-callback' = '--allow-fetch') => createOutboundPolicy(flag, patterns, { lookup: table(DNS) });

describe('parseAllowPattern', () => {
  it.each([
    ['media.example.com', { kind: 'name', exact: true }],
    ['*.example.com', { kind: 'name', exact: false }],
    ['Media.Example.COM.', { kind: 'name', exact: true }],
    ['media.example.com:8443', { kind: 'name', port: 8443 }],
    ['10.1.2.3', { kind: 'address' }],
    ['10.0.0.0/8', { kind: 'address' }],
    ['10.0.0.0/8:80', { kind: 'address', port: 80 }],
    ['fd00:ec2::254', { kind: 'address' }],
    ['[::1]:8080', { kind: 'address', port: 8080 }],
    ['fd00::/8', { kind: 'address' }],
    ['*', { kind: 'name', exact: false }],
  ])('%s', (pattern, shape) => {
    expect(parseAllowPattern(pattern)).toMatchObject(shape);
  });

  it.each([
    ['', /empty/],
    ['10.0.0.0/33', /prefix length is 0 to 32/],
    ['nonsense/8', /CIDR block/],
    ['media.example.com:0', /port/],
    ['media.example.com:http', /port/],
    ['user@media.example.com', /neither a host name/],
    ['http://media.example.com', /neither a host name|port/],
    ['[::1', /bracketed/],
    ['media example.com', /neither a host name/],
  ])('refuses %j', (pattern, message) => {
    expect(() => parseAllowPattern(pattern)).toThrow(OutboundPatternError);
    expect(() => parseAllowPattern(pattern)).toThrow(message);
  });

  it('reads a comma-separated list (the environment variables), skipping empty items', () => {
    expect(parseAllowList(' media.example.com, ,10.0.0.0/8 ')).toEqual(['media.example.com', '10.0.0.0/8']);
    expect(() => parseAllowList('ok.example.com,bad pattern')).toThrow(OutboundPatternError);
  });
});

describe('with no pattern', () => {
  it('allows every host but link-local and cloud-metadata ones', async () => {
    const open = policy();
    for (const url of ['http://media.example.com/a.wav', 'https://127.0.0.1:9000/hook', 'http://10.1.2.3/x', 'http://[::1]:80/', 'http://localhost:4010/x']) {
      expect(await open.refusal(url), url).toBeUndefined();
    }
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['http://169.254.1.1:8080/', '169.254.1.1'],
    // The URL parser reads other spellings of the address as the address itself.
    ['http://0xa9fea9fe/latest/meta-data', '169.254.169.254'],
    ['http://2852039166/', '169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
    ['http://[fe80::1]/', 'fe80::1'],
    ['http://[fd00:ec2::254]/latest/meta-data', 'fd00:ec2::254'],
    ['http://100.100.100.200/latest/meta-data', '100.100.100.200'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
    ['http://METADATA.google.internal./computeMetadata/v1/', 'metadata.google.internal'],
    ['http://metadata/computeMetadata/v1/', 'metadata'],
  ])('refuses %s', async (url, host) => {
    expect(await policy([], '--allow-callback').refusal(url)).toBe(`refused by --allow-callback (${host})`);
  });

  it('refuses a name that resolves to a link-local address, or to one among others', async () => {
    expect(await policy().refusal('http://rebind.example.net/a.wav')).toBe('refused by --allow-fetch (rebind.example.net is 169.254.169.254)');
    expect(await policy().refusal('http://mixed.example.net/a.wav')).toBe('refused by --allow-fetch (mixed.example.net is fe80::1)');
  });

  it('leaves a name that does not resolve, and a URL that is no http(s) URL, to fail as they would', async () => {
    expect(await policy().refusal('http://nowhere.invalid/a.wav')).toBeUndefined();
    expect(await policy().refusal('not a url')).toBeUndefined();
    expect(await policy().refusal('ftp://169.254.169.254/x')).toBeUndefined();
  });

  it('asks no resolver for an IP address', async () => {
    const lookup = table(DNS);
    const open = createOutboundPolicy('--allow-fetch', [], { lookup });
    await open.refusal('http://127.0.0.1:9/x');
    await open.refusal('http://169.254.169.254/x');
    expect(lookup.asked).toEqual([]);
  });
});

describe('with patterns', () => {
  it('allows only the hosts that match one', async () => {
    const some = policy(['media.example.com', '*.cdn.example.org', '10.0.0.0/8', '127.0.0.1:9000']);
    expect(await some.refusal('https://media.example.com/a.wav')).toBeUndefined();
    expect(await some.refusal('https://eu.cdn.example.org/a.wav')).toBeUndefined();
    expect(await some.refusal('https://a.b.cdn.example.org/a.wav')).toBeUndefined();
    expect(await some.refusal('http://10.200.0.1/a.wav')).toBeUndefined();
    expect(await some.refusal('http://127.0.0.1:9000/hook')).toBeUndefined();
    expect(await some.refusal('https://cdn.example.org/a.wav')).toBe('refused by --allow-fetch (cdn.example.org)');
    expect(await some.refusal('https://cdn.media.example.com/a.wav')).toBe('refused by --allow-fetch (cdn.media.example.com is 93.184.216.35)');
    expect(await some.refusal('http://127.0.0.1:9001/hook')).toBe('refused by --allow-fetch (127.0.0.1)');
    expect(await some.refusal('http://11.0.0.1/')).toBe('refused by --allow-fetch (11.0.0.1)');
  });

  it('takes the port a URL implies: 80 for http, 443 for https', async () => {
    const port = policy(['media.example.com:443']);
    expect(await port.refusal('https://media.example.com/a.wav')).toBeUndefined();
    expect(await port.refusal('http://media.example.com/a.wav')).toBe('refused by --allow-fetch (media.example.com)');
  });

  it('allows a name whose addresses all fall in an allowed block', async () => {
    const block = policy(['10.0.0.0/8']);
    expect(await block.refusal('http://internal.corp/a.wav')).toBeUndefined();
    expect(await block.refusal('http://media.example.com/a.wav')).toBe('refused by --allow-fetch (media.example.com is 93.184.216.34)');
    expect(await block.refusal('http://nowhere.invalid/a.wav')).toBe('refused by --allow-fetch (nowhere.invalid)');
  });

  it('still refuses link-local and metadata hosts that only a wildcard or a wide block matches', async () => {
    const wide = policy(['*', '0.0.0.0/0', '::/0']);
    expect(await wide.refusal('http://media.example.com/a.wav')).toBeUndefined();
    expect(await wide.refusal('http://169.254.169.254/')).toBe('refused by --allow-fetch (169.254.169.254)');
    expect(await wide.refusal('http://metadata.google.internal/')).toBe('refused by --allow-fetch (metadata.google.internal)');
    expect(await wide.refusal('http://rebind.example.net/')).toBe('refused by --allow-fetch (rebind.example.net is 169.254.169.254)');
    expect(await policy(['*.google.internal']).refusal('http://metadata.google.internal/')).toBe('refused by --allow-fetch (metadata.google.internal)');
  });

  it('allows them when a pattern names them explicitly: the address, a block inside link-local, or the name', async () => {
    expect(await policy(['169.254.169.254']).refusal('http://169.254.169.254/latest/meta-data')).toBeUndefined();
    expect(await policy(['169.254.0.0/16']).refusal('http://169.254.10.10/')).toBeUndefined();
    expect(await policy(['fd00:ec2::254']).refusal('http://[fd00:ec2::254]/')).toBeUndefined();
    expect(await policy(['metadata.google.internal']).refusal('http://metadata.google.internal/computeMetadata/v1/')).toBeUndefined();
    expect(await policy(['rebind.example.net', '169.254.169.254']).refusal('http://rebind.example.net/')).toBeUndefined();
    expect(await policy(['169.254.169.254']).refusal('http://169.254.169.253/')).toBe('refused by --allow-fetch (169.254.169.253)');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST.', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', 'my-laptop', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
