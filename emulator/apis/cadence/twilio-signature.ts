// Twilio signs every request it sends to an add-on (here Cadence) with X-Twilio-Signature:
// base64 HMAC-SHA1, keyed with the account's auth token, over the full URL Twilio requested
// followed by each POST parameter as name + value, names sorted. The details below follow
// Twilio's official helper libraries (twilio-node src/webhooks/webhooks.ts, twilio-python
// twilio/request_validator.py), since a real add-on server verifies with one of them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse, stringify } from 'node:querystring';

/** A form body as Twilio sends it: a field sent more than once holds all its values. */
export type TwilioParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  // Names and a repeated field's values sort the way twilio-node's `.sort()` does (UTF-16
  // code units, i.e. case-sensitive). A repeated field's values are also de-duplicated: the
  // order a form lists them in is not kept when Twilio signs.
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
    for (const one of values) data += name + one;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Whether `signature` is Twilio's for this request. `url` is the URL as this server received
 * it; Twilio's back end is not consistent about how it wrote that URL when signing, so, as
 * twilio-node's `validateRequest`, the signature may be over it without the port or with it
 * (the scheme's default port written out when there is none), and either with the query
 * string re-encoded the legacy way (`querystring`, which leaves `'` unescaped where `URL`
 * writes `%27`). Nothing else is tried, so this accepts exactly what an add-on server
 * verifying with the helper library accepts. Bodies hashed into the URL (`bodySHA256`) are
 * JSON webhooks; the add-on's requests are forms, so that check is not here.
 */
export function verifyTwilioSignature(authToken: string, url: string, params: TwilioParams, signature: string | undefined): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return signedUrlCandidates(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

function signedUrlCandidates(url: string): string[] {
  const parsed = new URL(url);
  const withoutPort = new URL(parsed);
  withoutPort.port = '';
  const candidates = [withoutPort.href, parsed.port ? parsed.href : withDefaultPort(parsed)];
  return [...new Set(candidates.flatMap((candidate) => [candidate, withLegacyQuery(candidate)]))];
}

// `URL` drops a scheme's default port, so it has to be written in by hand.
function withDefaultPort(url: URL): string {
  const credentials = url.username || url.password ? `${url.username}${url.password ? ':' + url.password : ''}@` : '';
  const port = url.protocol === 'https:' ? 443 : 80;
  return `${url.protocol}//${credentials}${url.host}:${port}${url.pathname}${url.search}${url.hash}`;
}

function withLegacyQuery(url: string): string {
  const parsed = new URL(url);
  const query = parsed.search.slice(1);
  if (!query) return url;
  parsed.search = '';
  return `${parsed.href}?${stringify(parse(query))}`;
}
