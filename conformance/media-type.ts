// Media types, as RFC 9110 §8.3.1 has them: the type and subtype are case-insensitive and the
// parameters after `;` are not part of the type. Everything in the runner that reads a
// Content-Type (the checks, the type handed to journeys, the journeys reading a callback)
// reads it through here, so `Application/JSON; charset=UTF-8` is `application/json`.

/** The media type of a Content-Type value, lower-cased and without parameters; '' when there is none. */
export function mediaTypeOf(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

/** `application/json` and every `application/…+json`, in any case. */
export const isJsonMediaType = (type: string) => /^application\/([\w.+-]*\+)?json$/i.test(type.trim());

/**
 * The spec's entry for a media type in a `content` map: the exact type in any case, else a
 * `type/*` range, else `*\/*`.
 */
export function contentEntry<T>(content: Record<string, T> | undefined, type: string): { key: string; value: T } | undefined {
  if (!content) return undefined;
  const wanted = type.toLowerCase();
  const entries = Object.entries(content);
  const found = entries.find(([key]) => mediaTypeOf(key) === wanted)
    ?? entries.find(([key]) => key.endsWith('/*') && wanted.startsWith(mediaTypeOf(key).slice(0, -1)))
    ?? entries.find(([key]) => key.trim() === '*/*');
  return found && { key: found[0], value: found[1] };
}
