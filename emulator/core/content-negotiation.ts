// Whether a client's `Accept` admits any media type an operation answers with (RFC 9110
// §12.5.1): each produced type takes the quality of the most specific range that matches it,
// so `application/json;q=0, */*` refuses JSON. A missing or empty Accept admits everything.

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): Range[] {
  return header.split(',').flatMap((item) => {
    const [range = '', ...params] = item.split(';').map((part) => part.trim());
    const [type, subtype] = range.toLowerCase().split('/');
    if (!type || !subtype) return [];
    const q = params.map((p) => /^q\s*=\s*([0-9.]+)$/i.exec(p)?.[1]).find((value) => value !== undefined);
    return [{ type, subtype, q: q === undefined ? 1 : Math.min(1, Number(q) || 0) }];
  });
}

const specificity = (range: Range) => (range.type === '*' ? 0 : range.subtype === '*' ? 1 : 2);

export function acceptsAny(accept: string | undefined, produced: readonly string[]): boolean {
  if (accept === undefined || accept.trim() === '' || produced.length === 0) return true;
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return true;
  return produced.some((mediaType) => {
    const [type = '', subtype = ''] = mediaType.toLowerCase().split(';')[0]!.trim().split('/');
    const matching = ranges.filter((r) => (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype));
    if (matching.length === 0) return false;
    const best = Math.max(...matching.map(specificity));
    return matching.filter((r) => specificity(r) === best).some((r) => r.q > 0);
  });
}
