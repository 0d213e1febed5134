// One ajv setup for every schema in the specs: JSON Schema 2020-12 (the OpenAPI 3.1 dialect),
// formats checked, and strict mode on so a typo in a spec is an error rather than a silently
// ignored keyword. OpenAPI adds a few keywords of its own to schemas; ajv is told about them.
//
// ajv is loaded when the first ajv is made, not with this module: it takes tens of
// milliseconds to load (and each instance as many again to compile the 2020-12 meta-schema on
// its first schema), and `serve` answers its first request before anything is validated. Both
// packages are CommonJS, so `require` loads them synchronously and every compile stays a plain
// function call.
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);

let loaded: { Ajv2020: typeof Ajv2020; addFormats: typeof addFormatsModule.default } | undefined;
function ajvPackages(): NonNullable<typeof loaded> {
  if (!loaded) {
    const ajv = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    // ajv-formats ships CommonJS whose default export TypeScript sees one level deep under NodeNext.
    const formats = require('ajv-formats') as typeof addFormatsModule & { default?: typeof addFormatsModule.default };
    loaded = { Ajv2020: ajv.Ajv2020, addFormats: formats.default ?? (formats as unknown as typeof addFormatsModule.default) };
  }
  return loaded;
}

const OPENAPI_SCHEMA_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

export interface AjvOptions {
  /** For request parameters, which arrive as text: "10" becomes 10, "true" true; defaults fill in. */
  coerce?: boolean;
  /** Fill in the schema's defaults for what is left out, without coercing types (JSON bodies). */
  defaults?: boolean;
  /**
   * For a document that is not one of the project's (a vendor's, `conform --spec`): keywords and
   * formats ajv does not know are ignored instead of refused, and nothing is logged about them.
   */
  lenient?: boolean;
}

export function createAjv(options: AjvOptions = {}): Ajv2020 {
  const { Ajv2020, addFormats } = ajvPackages();
  const ajv = new Ajv2020({
    ...(options.coerce && { coerceTypes: 'array' as const, useDefaults: true }),
    ...(options.defaults && { useDefaults: true }),
    strict: options.lenient ? false : true,
    ...(options.lenient && { logger: false as const }),
    // A spec may leave `type` off a subschema that only narrows (`required`, `properties`):
    // legal JSON Schema that strictTypes would reject.
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const keyword of OPENAPI_SCHEMA_KEYWORDS) ajv.addKeyword({ keyword });
  return ajv;
}

export type { ErrorObject, ValidateFunction };

/** One line per error, each with the instance path where it happened. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('; ');
}

/**
 * A compile function that compiles each schema object once. Dereferenced specs share one
 * object per `$ref` target, so a schema used by many operations is compiled once. The ajv
 * behind it is made on the first compile: a compiler nobody asks for costs nothing.
 */
export function createSchemaCompiler(options: { lenient?: boolean } = {}): (schema: object) => ValidateFunction {
  let ajv: Ajv2020 | undefined;
  const compiled = new WeakMap<object, ValidateFunction>();
  return (schema) => {
    let fn = compiled.get(schema);
    if (!fn) compiled.set(schema, (fn = options.lenient ? compileLeniently((ajv ??= createAjv({ lenient: true })), schema) : (ajv ??= createAjv()).compile(schema)));
    return fn;
  };
}

/**
 * A schema of a document that is not the project's, compiled as far as ajv can: a schema it
 * cannot compile at all (a keyword of the wrong shape, a `$ref` left unresolved) accepts every
 * value, so a vendor's slip in its spec is not reported against its server.
 */
function compileLeniently(ajv: Ajv2020, schema: object): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch {
    const accept = (() => true) as unknown as ValidateFunction;
    accept.errors = null;
    return accept;
  }
}
