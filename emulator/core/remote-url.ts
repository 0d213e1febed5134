// What a client may ask the emulator to fetch: an absolute http or https URL, and nothing else.
// A `file://` URL (or a path, or any other scheme) names something on the emulator's own machine:
// the vendors fetch from the internet only, so each refuses such a URL when the request comes,
// in its own words, before anything is fetched or scheduled.

/** Whether `url` is an absolute http(s) URL, the only kind remote media is fetched from. */
export function isFetchableUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
