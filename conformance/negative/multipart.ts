// Just enough multipart/form-data (RFC 7578 over RFC 2046 §5.1) to take a valid body apart
// and put it back together with one part changed, left out or added.

export interface FormPart {
  /** The part's header lines, as sent, without the blank line that ends them. */
  head: string;
  content: Buffer;
}

const CRLF = '\r\n';

export { boundaryOf } from '../../openapi/multipart-framing.ts';

/** The form field a part carries, from its Content-Disposition header. */
export function partName(part: FormPart): string | undefined {
  return /^content-disposition:[^\r\n]*?;\s*name="([^"]*)"/im.exec(part.head)?.[1];
}

/** The parts of a complete body, or undefined when it has no closing delimiter. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const starts: number[] = [];
  let closed = false;
  for (let at = body.indexOf(delimiter); at !== -1; at = body.indexOf(delimiter, at + delimiter.length)) {
    // A delimiter starts the body or a line; the same bytes inside a part's content do not count.
    if (at !== 0 && body.subarray(at - 2, at).toString('latin1') !== CRLF) continue;
    starts.push(at);
    if (body.subarray(at + delimiter.length, at + delimiter.length + 2).toString('latin1') === '--') {
      closed = true;
      break;
    }
  }
  if (!closed) return undefined;
  const parts: FormPart[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const segment = body.subarray(starts[i]! + delimiter.length + CRLF.length, starts[i + 1]! - CRLF.length);
    const headEnd = segment.indexOf(`${CRLF}${CRLF}`);
    if (headEnd === -1) return undefined;
    parts.push({ head: segment.subarray(0, headEnd).toString('latin1'), content: Buffer.from(segment.subarray(headEnd + 4)) });
  }
  return parts;
}

export function buildMultipart(parts: FormPart[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}${part.head}${CRLF}${CRLF}`, 'latin1'), part.content, Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

/** A plain text field. */
export function textPart(name: string, value: string): FormPart {
  return { head: `Content-Disposition: form-data; name="${name}"`, content: Buffer.from(value) };
}

/** The body cut just before its closing delimiter: every part sent, the end never announced. */
export function truncateMultipart(body: Buffer, boundary: string): Buffer | undefined {
  const at = body.lastIndexOf(`${CRLF}--${boundary}--`);
  return at === -1 ? undefined : Buffer.from(body.subarray(0, at));
}
