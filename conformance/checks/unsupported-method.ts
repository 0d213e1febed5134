// A method the spec does not document for a path (Schemathesis' `unsupported_method`): RFC 9110
// §15.5.6 answers it 405 Method Not Allowed, with an `Allow` header listing the methods the path
// has. A 404 there is a finding too (the path exists), also when the spec documents no 405: it
// is reported, with that said, not taken for a crash.
import type { Exchange } from '../types.ts';
import type { Failure } from './check.ts';

const brief = (exchange: Exchange) => (exchange.response ? `${exchange.response.status} ${exchange.response.body.toString('utf8').slice(0, 300)}` : (exchange.error ?? 'no response'));

export const unsupportedMethod = {
  name: 'unsupported_method',
  description: 'A method the spec does not document for a path is answered 405, with an Allow header listing the documented ones.',
  /** `documented`: the path's methods, upper-case; `has405`: whether the spec documents a 405 anywhere on the path. */
  run(exchange: Exchange, documented: string[], pointer: string, has405: boolean): Failure | undefined {
    const method = exchange.request.method.toUpperCase();
    const expected = `405 with Allow: ${documented.join(', ')}`;
    const response = exchange.response;
    if (!response) return { message: `${method}, which the spec does not document here, got no answer`, expected, received: exchange.error ?? 'no response', pointer };
    if (response.status !== 405) {
      const note = response.status === 404 && !has405 ? ' (the spec documents no 405 for this path: the API may answer every unknown route 404, which RFC 9110 does not)' : '';
      const accepted = response.status >= 200 && response.status < 300 ? ' and was accepted' : '';
      return { message: `${method}, which the spec does not document here, was answered ${response.status}${accepted}, not 405 Method Not Allowed${note}`, expected, received: brief(exchange), pointer };
    }
    const allow = response.headers.allow;
    if (allow === undefined) return { message: `405 without an Allow header (RFC 9110 §15.5.6 requires one)`, expected, received: `405 with headers ${Object.keys(response.headers).join(', ')}`, pointer };
    const listed = allow.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
    const missing = documented.filter((m) => !listed.includes(m));
    if (missing.length) return { message: `Allow leaves out ${missing.join(', ')}, which the spec documents for this path`, expected, received: `Allow: ${allow}`, pointer };
    if (listed.includes(method)) return { message: `Allow lists ${method}, the method it refused`, expected, received: `Allow: ${allow}`, pointer };
    return undefined;
  },
};
