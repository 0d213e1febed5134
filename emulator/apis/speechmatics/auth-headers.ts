// Speechmatics passes credentials for fetches and notifications as header lines
// ("Authorization: Bearer …"); requests need them as a name → value map.

export function parseAuthHeaders(lines: string[] | null = []): Record<string, string> {
  const out: Record<string, string> = {};
  // The spec lets auth_headers be null: no headers.
  for (const line of lines ?? []) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}
