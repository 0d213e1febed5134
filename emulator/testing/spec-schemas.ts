// For tests that hold rendered output to the spec: a spec's component schemas, compiled with
// the project's ajv setup.
import { createSchemaCompiler, type ValidateFunction } from '../../openapi/schemas.ts';
import { loadSpec, type JsonObject, type SpecName } from '../../openapi/specs.ts';

export async function componentValidators<Name extends string>(spec: SpecName, names: Name[]): Promise<Record<Name, ValidateFunction>> {
  const schemas = ((await loadSpec(spec)).dereferenced.components as JsonObject).schemas as JsonObject;
  const compile = createSchemaCompiler();
  return Object.fromEntries(names.map((name) => {
    if (!schemas[name]) throw new Error(`${spec} has no component schema ${name}`);
    return [name, compile(schemas[name] as JsonObject)];
  })) as Record<Name, ValidateFunction>;
}
