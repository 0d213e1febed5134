// The RTMP ingest URL of a room, as the documentation's sample encodes it: the query is
// application/x-www-form-urlencoded (`+` for a space, the rest percent-encoded as
// URLSearchParams does), one `phrases` parameter per phrase, in order.
export function streamUrl(roomId: string, language: string, speakerName: string, phrases: readonly string[]): string {
  const query = new URLSearchParams([['lang', language], ['name', speakerName], ...phrases.map((phrase) => ['phrases', phrase] as [string, string])]);
  return `rtmps://rtmp.stenomatic.com/${roomId}?${query.toString()}`;
}
