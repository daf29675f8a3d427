import fc from 'fast-check';

export type Schema = Record<string, unknown>;

const UUID_ARBITRARY = fc.uuid();
const DATE_TIME = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/**
 * Values an OpenAPI 3.0 schema describes, for the fuzz test: the "valid" half of its requests,
 * which the hostile mutations then break. Covers what Conveyor's document uses: $ref, allOf,
 * nullable, enum, objects (required and optional members), arrays, strings (length, pattern,
 * uuid and date-time formats), integers and numbers within bounds, booleans; an empty schema is
 * any JSON value.
 */
export function arbitraryFor(
  schema: Schema,
  components: Record<string, Schema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, components);
  const base = valuesOf(resolved, components, depth);
  return resolved['nullable'] === true ? fc.oneof(base, fc.constant(null)) : base;
}

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = components[ref.split('/').at(-1) ?? ''];
    return target === undefined ? {} : resolve(target, components);
  }
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1) {
    const rest = Object.fromEntries(Object.entries(schema).filter(([keyword]) => keyword !== 'allOf'));
    return { ...resolve(allOf[0] as Schema, components), ...rest };
  }
  return schema;
}

function valuesOf(schema: Schema, components: Record<string, Schema>, depth: number): fc.Arbitrary<unknown> {
  const values = schema['enum'];
  if (Array.isArray(values)) return fc.constantFrom(...(values as unknown[]));
  switch (schema['type']) {
    case 'object':
      return objectOf(schema, components, depth);
    case 'array': {
      const items = (schema['items'] ?? {}) as Schema;
      return fc.array(arbitraryFor(items, components, depth + 1), {
        minLength: Number(schema['minItems'] ?? 0),
        maxLength: Math.min(Number(schema['maxItems'] ?? 4), 4),
      });
    }
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({
        min: Number(schema['minimum'] ?? -1_000_000),
        max: Number(schema['maximum'] ?? 1_000_000),
      });
    case 'number':
      return fc.double({
        min: Number(schema['minimum'] ?? -1e9),
        max: Number(schema['maximum'] ?? 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    default:
      return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: Schema, components: Record<string, Schema>, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  if (Object.keys(properties).length === 0) {
    return depth > 2
      ? fc.constant({})
      : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  }
  const members: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties))
    members[name] = arbitraryFor(property, components, depth + 1);
  return fc.record(members, { requiredKeys: [...required].filter((name) => name in members) });
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (schema['format'] === 'uuid') return UUID_ARBITRARY;
  if (schema['format'] === 'date-time') return DATE_TIME;
  const minLength = Number(schema['minLength'] ?? 0);
  const maxLength = Math.min(Number(schema['maxLength'] ?? 40), 40);
  const pattern = schema['pattern'];
  if (typeof pattern === 'string') {
    return fc
      .stringMatching(new RegExp(pattern))
      .filter((text) => text.length >= minLength && text.length <= Number(schema['maxLength'] ?? Infinity));
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: 'grapheme' });
}
