// Protocol-level junk: requests no schema describes and fetch would not send. Each is built from
// a good request (an operation's example, credentials and real resources in place) with one
// thing wrong about how it travels: its target, its headers, its encoding, its framing.
import { gzipSync } from 'node:zlib';
import type { RawRequest } from './raw-http.ts';
import type { Target } from './targets.ts';

export interface Junk {
  name: string;
  request: RawRequest;
  /** The client closes before its body is all sent. */
  truncated?: boolean;
  /** More than one request on the wire. */
  pipelined?: boolean;
  /**
   * Megabytes (or tens of thousands of properties) a vendor may well accept and keep: sent as a
   * tenant of its own, so that what it keeps does not weigh on every later read of the others'.
   */
  big?: boolean;
}

const header = (request: RawRequest, name: string) => request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
const without = (request: RawRequest, ...names: string[]) => request.headers.filter(([n]) => !names.includes(n.toLowerCase()));
const withHeaders = (request: RawRequest, extra: Array<[string, string]>, drop: string[] = []): RawRequest => ({ ...request, headers: [...without(request, ...drop), ...extra] });
const withBody = (request: RawRequest, body: Buffer, contentType?: string): RawRequest => ({
  ...request,
  body,
  headers: [...without(request, 'content-type', 'content-length'), ...(contentType ? [['content-type', contentType] as [string, string]] : [])],
});

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const BIG_STRING = 'a'.repeat(5 * 2 ** 20);
let zeros: Buffer | undefined;
/** 10 MB of zeros, gzipped (10 KiB on the wire): made once. */
const gzippedZeros = () => (zeros ??= gzipSync(Buffer.alloc(10 * 2 ** 20)));
/** Bytes that are no UTF-8: a lone continuation byte, an overlong slash, a truncated sequence. */
const INVALID_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xe2, 0x82, 0xff, 0xfe]);

/** A segment of the path replaced (the last one that is a parameter, else the last). */
function withSegment(target: Target, request: RawRequest, segment: string): RawRequest {
  const [path, query] = request.target.split('?') as [string, string | undefined];
  const parts = path.split('/');
  const templateParts = target.op.path.split('/');
  let index = templateParts.map((p, i) => (p.startsWith('{') ? i : -1)).filter((i) => i >= 0).pop() ?? parts.length - 1;
  if (index >= parts.length) index = parts.length - 1;
  parts[index] = segment;
  return { ...request, target: parts.join('/') + (query === undefined ? '' : `?${query}`) };
}

const withQuery = (request: RawRequest, query: string): RawRequest => ({ ...request, target: `${request.target}${request.target.includes('?') ? '&' : '?'}${query}` });

/** Target and header junk that may be answered differently by each operation (its documented statuses): for every one. */
export function targetJunk(target: Target, good: RawRequest): Junk[] {
  const junk: Junk[] = [];
  const add = (name: string, request: RawRequest) => junk.push({ name, request });
  const hasParam = target.op.path.includes('{');
  if (hasParam) {
    // Undecodable escapes, encoded separators and dot segments, a NUL, a very long id.
    for (const segment of ['%ZZ', '%E0%A4%A', '%C0%AF', '%00', '..%2F..%2Fetc', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', 'a'.repeat(5000), '%2F', '%20']) {
      add(`path segment ${segment.slice(0, 20)}`, withSegment(target, good, segment));
    }
    add('raw non-ASCII bytes in the path', withSegment(target, good, '\xff\xfe'));
  }
  for (const query of ['limit=%ZZ', '%=1', 'a=%', '%FF=%FE', 'limit=1&limit=2&limit=x', 'x=%C0%AF', Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&')]) {
    add(`query ${query.slice(0, 20)}`, withQuery(good, query));
  }
  const auth = good.headers.find(([n]) => ['authorization', 'x-gladia-key'].includes(n.toLowerCase()));
  if (auth) {
    add('the credential header twice, the same', withHeaders(good, [auth]));
    add('the credential header twice, one wrong', withHeaders(good, [[auth[0], 'wrong-key']]));
    add('the wrong credential first, then the right one', withHeaders(good, [[auth[0], 'wrong-key'], auth], [auth[0].toLowerCase()]));
    add('a 10 KiB credential', withHeaders(good, [[auth[0], `Bearer ${'k'.repeat(10 * 1024)}`]], [auth[0].toLowerCase()]));
    add('Basic that is not base64', withHeaders(good, [[auth[0], 'Basic %%%not-base64%%%']], [auth[0].toLowerCase()]));
    add('Basic of bytes that are no UTF-8', withHeaders(good, [[auth[0], `Basic ${Buffer.concat([Buffer.from('cadence:'), INVALID_UTF8]).toString('base64')}`]], [auth[0].toLowerCase()]));
    add('a credential of Latin-1 bytes', withHeaders(good, [[auth[0], 'Bearer t\xe9st-k\xffy']], [auth[0].toLowerCase()]));
    add('an empty credential', withHeaders(good, [[auth[0], '']], [auth[0].toLowerCase()]));
  }
  add('no credential', withHeaders(good, [], ['authorization', 'x-gladia-key']));
  add('Accept nothing acceptable', withHeaders(good, [['accept', 'application/x-nothing']], ['accept']));
  add('Accept with junk parameters', withHeaders(good, [['accept', 'application/json;q=abc, */*;;q=']], ['accept']));
  // Documented responses (Prism's half), asked for in ways Prism cannot give.
  add('Prefer junk', withHeaders(good, [['prefer', 'code=abc, example=%%%']]));
  add('Prefer a documented 200', withHeaders(good, [['prefer', 'code=200']]));
  add('Prefer an example that does not exist', withHeaders(good, [['prefer', 'example=no-such-example']]));
  add('Prefer a status not documented', withHeaders(good, [['prefer', 'code=418']]));
  add('Prefer dynamic', withHeaders(good, [['prefer', 'dynamic=true']]));
  for (const query of ['__code=abc', '__code=200&__example=%ZZ']) add(`query ${query}`, withQuery(good, query));
  // A body where none is read: its framing breaks once the emulator has the request.
  add('Transfer-Encoding that is unknown', withHeaders(good, [['transfer-encoding', 'frobnicate']]));
  return junk;
}

/** Junk that depends on the path alone (its size, its methods, how it is framed): once per path. */
export function pathJunk(good: RawRequest): Junk[] {
  const junk: Junk[] = [];
  const add = (name: string, request: RawRequest) => junk.push({ name, request });
  add('a 9 KiB target', withQuery(good, `pad=${'x'.repeat(9 * 1024)}`));
  add('a 70 KiB target', withQuery(good, `pad=${'x'.repeat(70 * 1024)}`));
  add('a 20 KiB header', withHeaders(good, [['x-padding', 'y'.repeat(20 * 1024)]]));
  add('200 headers', withHeaders(good, Array.from({ length: 200 }, (_, i) => [`x-h${i}`, String(i)] as [string, string])));
  add('Host twice', withHeaders(good, [['Host', 'other.invalid']]));
  add('an absolute-form target', { ...good, target: `http://other.invalid${good.target}` });
  add('lower-case method', { ...good, method: good.method.toLowerCase() });
  add('an unknown method', { ...good, method: 'FROB' });
  for (const method of ['OPTIONS', 'HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE']) if (method !== good.method) add(`method ${method}`, { ...good, method });
  add('Content-Length that is no number', withHeaders(good, [['content-length', 'abc']], ['content-length']));
  return junk;
}

interface Part {
  name?: string;
  filename?: string;
  type?: string;
  value: Buffer | string;
  /** The part's head as sent, instead of one made from name, filename and type. */
  rawHead?: string;
}

function multipartOf(parts: Part[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head = part.rawHead ?? [
      `Content-Disposition: form-data${part.name !== undefined ? `; name="${part.name}"` : ''}${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`,
      ...(part.type ? [`Content-Type: ${part.type}`] : []),
    ].join('\r\n');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`, 'latin1'), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** The good multipart body's parts, read back (name, filename, type, value): to rebuild it with junk. */
function partsOf(body: Buffer, boundary: string): Part[] {
  const parts: Part[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('latin1');
    parts.push({
      ...(/name="([^"]*)"/.exec(head) && { name: /name="([^"]*)"/.exec(head)![1]! }),
      ...(/filename="([^"]*)"/.exec(head) && { filename: /filename="([^"]*)"/.exec(head)![1]! }),
      ...(/content-type: *(.+)/i.exec(head) && { type: /content-type: *(.+)/i.exec(head)![1]!.trim() }),
      value: chunk.subarray(split + 4),
    });
    at = next;
  }
  return parts;
}

/** Body junk: for an operation that takes a body, built from its good request. */
export function bodyJunk(target: Target, good: RawRequest): Junk[] {
  const junk: Junk[] = [];
  const add = (name: string, request: RawRequest, how: { truncated?: boolean; pipelined?: boolean; big?: boolean } = {}) => junk.push({ name, request, ...how });
  const type = header(good, 'content-type') ?? '';
  const body = good.body ?? Buffer.alloc(0);
  const kind = target.model.body?.kind;

  // Encodings.
  add('gzip that is not gzip', withHeaders(good, [['content-encoding', 'gzip']]));
  add('deflate that is not deflate', withHeaders(good, [['content-encoding', 'deflate']]));
  add('br that is not br', withHeaders(good, [['content-encoding', 'br']]));
  add('an unknown Content-Encoding', withHeaders(good, [['content-encoding', 'compress']]));
  add('Content-Encoding junk', withHeaders(good, [['content-encoding', ',,;q=1, gzip;;']]));
  add('gzip that is not gzip, with Prefer', withHeaders(good, [['content-encoding', 'gzip'], ['prefer', 'code=400']]));
  add('an unknown Content-Encoding, with Prefer', withHeaders(good, [['content-encoding', 'compress'], ['prefer', 'code=200']]));
  add('a broken body, with Prefer', withBody(withHeaders(good, [['prefer', 'code=200']]), Buffer.from('{"a":'), type));
  add('gzip twice declared, once applied', withBody(withHeaders(good, [['content-encoding', 'gzip, gzip']]), gzipSync(body), type));
  add('gzip, applied', withBody(withHeaders(good, [['content-encoding', 'gzip']]), gzipSync(body), type));
  add('gzip cut short', withBody(withHeaders(good, [['content-encoding', 'gzip']]), gzipSync(body).subarray(0, 20), type));
  add('gzip of 10 MB of zeros', withBody(withHeaders(good, [['content-encoding', 'gzip']]), gzippedZeros(), type), { big: true });

  // Content types.
  add('no Content-Type', withBody(good, body));
  add('Content-Type text/plain', withBody(good, body, 'text/plain'));
  add('Content-Type junk', withBody(good, body, ';;;/;'));
  add('Content-Type with a charset no one reads', withBody(good, body, `${type.split(';')[0]}; charset=utf-16`));
  add('JSON labelled multipart', withBody(good, Buffer.from('{"a":1}'), 'multipart/form-data; boundary=x'));
  add('multipart with no boundary', withBody(good, body, 'multipart/form-data'));
  add('multipart with an empty boundary', withBody(good, body, 'multipart/form-data; boundary='));
  add('multipart with a boundary of 200 characters', withBody(good, body, `multipart/form-data; boundary=${'b'.repeat(200)}`));
  add('a form, url-encoded', withBody(good, Buffer.from('a=1&b=%ZZ&c'), 'application/x-www-form-urlencoded'));
  add('application/json for a multipart operation, or the reverse', withBody(good, Buffer.from(kind === 'json' ? '--x\r\n\r\n' : '{"config":"{}"}'), kind === 'json' ? 'multipart/form-data; boundary=x' : 'application/json'));

  // JSON.
  for (const [name, text] of [['JSON nested 10,000 deep (arrays)', deepArray(10_000)], ['JSON nested 10,000 deep (objects)', deepObject(10_000)], ['JSON null', 'null'], ['a JSON string', '"x"'], ['a JSON array', '[]'], ['a number too big', '1e400'], ['__proto__', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'], ['truncated JSON', '{"a":'], ['an empty body', ''], ['a BOM before JSON', '\ufeff{}'], ['JSON with a NUL', '{"a\\u0000":"\\u0000"}'], ['JSON with lone surrogates', '{"a":"\\ud800"}']] as const) {
    add(name, withBody(good, Buffer.from(text), 'application/json'));
  }
  add('JSON with bytes that are no UTF-8', withBody(good, Buffer.concat([Buffer.from('{"name":"'), INVALID_UTF8, Buffer.from('"}')]), 'application/json'));
  if (kind === 'json') {
    let value: Record<string, unknown> = {};
    try {
      value = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // The good body is no object: the junk below goes on an empty one.
    }
    const first = Object.keys(value)[0] ?? 'name';
    add('a 5 MiB JSON string in a property', withBody(good, Buffer.from(JSON.stringify({ ...value, [first]: BIG_STRING })), type), { big: true });
    add('a 10,000-deep value in a property', withBody(good, Buffer.from(`{"${first}":${deepArray(10_000)}}`), type), { big: true });
    add('JSON with bytes that are no UTF-8 in a property', withBody(good, Buffer.concat([Buffer.from(`{"${first}":"`), INVALID_UTF8, Buffer.from('"}')]), type));
    add('10,000 properties', withBody(good, Buffer.from(JSON.stringify({ ...value, ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, i])) })), type), { big: true });
  }

  // Multipart.
  const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
  if (kind === 'multipart' && boundary) {
    const parts = partsOf(body, boundary);
    const rebuilt = (extra: typeof parts, at: 'start' | 'end' = 'end') => multipartOf(at === 'start' ? [...extra, ...parts] : [...parts, ...extra], boundary);
    add('a broken boundary', withBody(good, body, `multipart/form-data; boundary=${boundary}x`));
    add('1,000 parts', withBody(good, rebuilt(Array.from({ length: 1000 }, (_, i) => ({ name: `extra${i}`, value: String(i) }))), type));
    add('100 file parts', withBody(good, rebuilt(Array.from({ length: 100 }, (_, i) => ({ name: `file${i}`, filename: `f${i}.wav`, type: 'audio/wav', value: 'RIFF' }))), type));
    add('a part with no name', withBody(good, rebuilt([{ value: 'nameless' }], 'start'), type));
    add('a part with no Content-Disposition', withBody(good, rebuilt([{ rawHead: 'Content-Type: text/plain', value: 'x' }], 'start'), type));
    add('a part head with no end', withBody(good, Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x"`), Buffer.from(`\r\n--${boundary}--\r\n`)]), type));
    add('no closing boundary', withBody(good, rebuilt([]).subarray(0, rebuilt([]).length - boundary.length - 6), type));
    add('the body cut in the middle (Content-Length as sent)', withBody(good, body.subarray(0, Math.floor(body.length / 2)), type));
    add('a part value of 5 MiB', withBody(good, rebuilt([{ name: parts.find((p) => p.filename === undefined)?.name ?? 'config', value: BIG_STRING }], 'start'), type), { big: true });
    add('JSON nested 10,000 deep in a part', withBody(good, multipartOf(parts.map((p) => (p.filename === undefined ? { ...p, value: deepArray(10_000) } : p)), boundary), type), { big: true });
    add('field values that are no UTF-8', withBody(good, multipartOf(parts.map((p) => (p.filename === undefined ? { ...p, value: INVALID_UTF8 } : p)), boundary), type));
    add('file names that are no UTF-8', withBody(good, Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x"; filename="`), INVALID_UTF8, Buffer.from(`"\r\n\r\nx\r\n`), rebuilt([])]), type));
    add('a part header of 100 KiB', withBody(good, rebuilt([{ rawHead: `Content-Disposition: form-data; name="big"\r\nX-Pad: ${'p'.repeat(100 * 1024)}`, value: 'x' }], 'start'), type));
    add('the same part twice', withBody(good, rebuilt(parts), type));
    add('filename* in another charset', withBody(good, rebuilt([{ rawHead: 'Content-Disposition: form-data; name="x"; filename*=iso-8859-1\'\'%E9t%E9.wav', value: 'x' }], 'start'), type));
  }

  // Framing.
  add('a slow sender (head and body in 8 pieces, 10 ms apart)', { ...good, trickle: { pieces: 8, delayMs: 10 } });
  if (body.length > 1) add('a body shorter than its Content-Length, then the client closes', { ...good, sendBytes: Math.floor(body.length / 2) }, { truncated: true });
  add('a body longer than its Content-Length', withHeaders({ ...good, body: Buffer.concat([body, Buffer.from('trailing junk')]) }, [['content-length', String(body.length)]], ['content-length']), { pipelined: true });
  add('Content-Length and Transfer-Encoding both', withHeaders(good, [['transfer-encoding', 'chunked']]));
  add('chunks of a size that is no number', withHeaders({ ...good, body: Buffer.from(`zz\r\n${body.toString('latin1')}\r\n0\r\n\r\n`, 'latin1') }, [['transfer-encoding', 'chunked']], ['content-length']));
  add('chunked, cut before the last chunk', withHeaders({ ...good, body: Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]), sendBytes: body.length + 8 }, [['transfer-encoding', 'chunked']], ['content-length']), { truncated: true });
  // Node reads the second: the body is a byte short, and the client, done sending, closes.
  add('Content-Length twice, different', { ...withHeaders(good, [['content-length', String(body.length + 1)]]), sendBytes: body.length }, { truncated: true });
  add('Expect: 100-continue', withHeaders(good, [['expect', '100-continue']]));
  add('Expect: something else', withHeaders(good, [['expect', 'tea']]));
  return junk;
}

/** Both vendors' credentials on the path both serve (`POST /v2/upload`: AssemblyAI and Gladia). */
export function sharedPathJunk(good: RawRequest): Junk[] {
  const both = withHeaders(good, [['authorization', 'test-key'], ['x-gladia-key', 'test-key']], ['authorization', 'x-gladia-key']);
  return [
    { name: 'both vendors\' credentials on /v2/upload', request: both },
    { name: 'both, one of them wrong', request: withHeaders(good, [['authorization', 'test-key'], ['x-gladia-key', 'nope']], ['authorization', 'x-gladia-key']) },
    { name: 'neither', request: withHeaders(good, [], ['authorization', 'x-gladia-key']) },
  ];
}
