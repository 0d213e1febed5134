// X-Twilio-Signature against Twilio's official helper library (twilio 5.13.1) as the oracle:
// the same signature for the same request, each side accepts the other's, and our URL
// tolerance is exactly `validateRequest`'s. The package is CommonJS (`export =`), so its
// functions hang off the default import.
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature, type TwilioParams } from './twilio-signature.ts';

const TOKEN = '0b7c6f2f1e9d4a3b8c5d6e7f80912a3b';

const URLS = [
  'https://example.test/cadence/twilio',
  'https://example.test/cadence/twilio?tenant=acme&mode=fast',
  'http://127.0.0.1:4010/cadence/twilio',
  'https://example.test:8443/cadence/twilio?note=a%20b',
  'https://example.test:443/cadence/twilio',
];

const PARAMS: Record<string, TwilioParams> = {
  'no parameters': {},
  'one parameter': { request_sid: 'MR000009775bb6d43d1cabc4955723fae1' },
  'several parameters': { requested_service: 'transcription', target_language: 'en', channels: '1', format: 'audio/x-wav' },
  'a repeated field': { source_language: ['en', 'de'], target_language: 'cn' },
  'a repeated field listed in another order, with a duplicate': { source_language: ['de', 'en', 'de'], target_language: 'cn' },
  'unicode names and values': { message: 'Grüße, 你好 😀', näme: 'ünïcödé', choices: ['😀', 'ﬀ', 'é'] },
  'an empty value': { message: '', request_sid: 'MR1' },
  'names differing only in case': { a: '1', B: '2', Aa: '3', b: '4' },
};

const CASES = URLS.flatMap((url) => Object.entries(PARAMS).map(([label, params]) => ({ url, label, params })));

describe('twilioSignature and verifyTwilioSignature against twilio 5.13.1', () => {
  it.each(CASES)('$url with $label: same signature, and each side accepts the other', ({ url, params }) => {
    const ours = twilioSignature(TOKEN, url, params);
    const theirs = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    expect(ours).toBe(theirs);
    expect(twilio.validateRequest(TOKEN, ours, url, params)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, url, params, theirs)).toBe(true);
  });

  it("matches the vectors in twilio-node's own tests (spec/validation.spec.js)", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const call = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', url, call)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('12345', url, { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] })).toBe('83O6e2vORAoJHUNzJjDWN1jz+BA=');
    expect(twilioSignature('12345', url, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] })).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('signs the documentation sample of a Cadence add-on request', () => {
    // fixtures/seed-samples/cadence.json, twilio-addon-request: its form fields as Twilio sends
    // them (text), without the audio_data file part.
    const url = 'https://example.test/cadence/twilio';
    const sample = {
      request_sid: 'MR000009775bb6d43d1cabc4955723fae1',
      callback_url: 'https://callbacks.cadence-customer.test/twilio/MR000009775bb6d43d1cabc4955723fae1',
      requested_service: 'transcription',
      source_language: ['en', 'de'],
      target_language: 'cn',
      channels: '2',
      duration: '6000',
      format: 'audio/x-wav',
      media_sid: 'WcS42767c53b3d7be099a825252c6c123e59',
      size: '1204',
    };
    const signature = twilioSignature(TOKEN, url, sample);
    expect(signature).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, sample));
    // Also what twilio-python's RequestValidator.compute_signature gives for it.
    expect(signature).toBe('SOcDzRSptScz/JE13gTqYHEBT2s=');
    expect(twilio.validateRequest(TOKEN, signature, url, sample)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, url, sample, signature)).toBe(true);
    // The order the form repeats source_language in is not part of the signature.
    expect(verifyTwilioSignature(TOKEN, url, { ...sample, source_language: ['de', 'en'] }, signature)).toBe(true);
    // Signed over the URL with https's port written out, it still verifies against the URL without.
    const withPort = twilio.getExpectedTwilioSignature(TOKEN, 'https://example.test:443/cadence/twilio', sample);
    expect(verifyTwilioSignature(TOKEN, url, sample, withPort)).toBe(true);
  });
});

describe('what does not verify', () => {
  const url = 'https://example.test/cadence/twilio?tenant=acme';
  const params = { request_sid: 'MR1', source_language: ['en', 'de'], target_language: 'cn' };
  const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);

  const FAILURES: { label: string; token: string; url: string; params: TwilioParams; signature: string | undefined }[] = [
    { label: 'a wrong token', token: '0b7c6f2f1e9d4a3b8c5d6e7f80912a3c', url, params, signature },
    { label: 'a changed value', token: TOKEN, url, params: { ...params, target_language: 'en' }, signature },
    { label: 'an added parameter', token: TOKEN, url, params: { ...params, channels: '2' }, signature },
    { label: 'a repeated field missing a value', token: TOKEN, url, params: { ...params, source_language: ['en'] }, signature },
    { label: 'a value moved to another name', token: TOKEN, url, params: { ...params, request_sid: '', target_language: 'MR1cn' }, signature },
    { label: 'a changed path', token: TOKEN, url: 'https://example.test/cadence/twilio2?tenant=acme', params, signature },
    { label: 'a changed query', token: TOKEN, url: 'https://example.test/cadence/twilio?tenant=acme2', params, signature },
    { label: 'another scheme', token: TOKEN, url: 'http://example.test/cadence/twilio?tenant=acme', params, signature },
    { label: 'another host', token: TOKEN, url: 'https://example2.test/cadence/twilio?tenant=acme', params, signature },
    { label: 'a truncated signature', token: TOKEN, url, params, signature: signature.slice(0, -2) },
    { label: 'an empty signature', token: TOKEN, url, params, signature: '' },
    { label: 'no signature', token: TOKEN, url, params, signature: undefined },
  ];

  it.each(FAILURES)('$label fails, for us and for twilio', ({ token, url: requested, params: sent, signature: header }) => {
    expect(verifyTwilioSignature(token, requested, sent, header)).toBe(false);
    expect(twilio.validateRequest(token, header as string, requested, sent)).toBe(false);
  });
});

describe('URL tolerance is exactly validateRequest’s', () => {
  // The URL Twilio signed (rows) against the URL the server received (columns).
  const VARIANTS = [
    'https://example.test/cadence/twilio',
    'https://example.test:443/cadence/twilio',
    'https://example.test:8443/cadence/twilio',
    'http://example.test/cadence/twilio',
    'http://example.test:80/cadence/twilio',
    'http://127.0.0.1:4010/cadence/twilio',
    'http://127.0.0.1/cadence/twilio',
    "https://example.test/cadence/twilio?note=it's",
    'https://example.test/cadence/twilio?note=it%27s',
    'https://example.test:443/cadence/twilio?note=it%27s',
    'https://example.test/cadence/twilio?b=2&a=1&b=3',
    'https://example.test/cadence/twilio?b=2&b=3&a=1',
    'https://example.test/cadence/twilio?note=a+b',
    'https://example.test/cadence/twilio?note=a%20b',
  ];
  const params = { request_sid: 'MR1', source_language: ['en', 'de'] };
  const PAIRS = VARIANTS.flatMap((signed) => VARIANTS.map((received) => ({ signed, received })));

  it.each(PAIRS)('signed $signed, received $received', ({ signed, received }) => {
    const signature = twilio.getExpectedTwilioSignature(TOKEN, signed, params);
    expect(verifyTwilioSignature(TOKEN, received, params, signature)).toBe(twilio.validateRequest(TOKEN, signature, received, params));
  });

  it('accepts the port both ways and the quote both ways, and nothing across hosts', () => {
    const verifies = (signed: string, received: string) =>
      verifyTwilioSignature(TOKEN, received, params, twilio.getExpectedTwilioSignature(TOKEN, signed, params));
    expect(verifies('https://example.test:443/cadence/twilio', 'https://example.test/cadence/twilio')).toBe(true);
    expect(verifies('https://example.test/cadence/twilio', 'https://example.test:443/cadence/twilio')).toBe(true);
    expect(verifies('http://127.0.0.1/cadence/twilio', 'http://127.0.0.1:4010/cadence/twilio')).toBe(true);
    expect(verifies("https://example.test/cadence/twilio?note=it's", 'https://example.test/cadence/twilio?note=it%27s')).toBe(true);
    expect(verifies('http://127.0.0.1:4011/cadence/twilio', 'http://127.0.0.1:4010/cadence/twilio')).toBe(false);
    expect(verifies('https://example.test/cadence/twilio', 'http://example.test/cadence/twilio')).toBe(false);
  });
});
