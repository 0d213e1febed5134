// Prism's multipart reader takes whatever parts it can find, so a body cut off mid-upload can
// pass as a complete request. RFC 2046 ends every multipart body with a close delimiter
// (`--boundary--`); a body without one was truncated, and is refused before any handler sees it.

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/** Why a multipart body is malformed, or undefined when it is not multipart or is whole. */
export function multipartFramingProblem(contentType: string | undefined, body: Buffer): string | undefined {
  if (!contentType || !/^multipart\//i.test(contentType)) return undefined;
  const boundary = boundaryOf(contentType);
  if (!boundary) return 'the multipart content type has no boundary';
  if (!body.includes(`--${boundary}`)) return 'the body has no part with the declared boundary';
  if (!body.includes(`--${boundary}--`)) return 'the body ends before the closing boundary (truncated upload)';
  return undefined;
}
