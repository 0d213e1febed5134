// Path templates (`/v2/jobs/{jobid}/transcript`) and the paths made from them: which parameters
// a template has, what a filled path holds for each (as sent, percent-encoded), and a path with
// some of them replaced.

export const pathParamNames = (template: string): string[] => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

/** Each parameter's segment of `filled` (made from `template`), as sent (still percent-encoded). */
export function rawPathParams(template: string, filled: string): Record<string, string> | undefined {
  const names = pathParamNames(template);
  const pattern = template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('([^/]*)');
  const match = new RegExp(`^${pattern}$`).exec(filled);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? '']));
}

/**
 * `filled` with the parameters `values` names replaced by those values (encoded), the others as
 * they are: so a case keeps the value it breaks, and aims at real resources for the rest.
 */
export function replacePathParams(template: string, filled: string, values: Record<string, string | undefined>): string {
  const raw = rawPathParams(template, filled);
  if (!raw) return filled;
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => (values[name] !== undefined ? encodeURIComponent(values[name]!) : raw[name]!));
}

/**
 * The path that names the resource a path is about: the template up to its first parameter
 * (`/v2/jobs/{jobid}` for `/v2/jobs/{jobid}/transcript`), and the collection before it.
 */
export function resourcePathOf(template: string): { itemPath: string; collection: string; param: string } | undefined {
  const match = /^(.*?)\/\{([^}]+)\}/.exec(template);
  return match ? { itemPath: match[0], collection: match[1]!, param: match[2]! } : undefined;
}
