import {
  getMetadataStorage,
  type MetadataStorage,
  type ValidationArguments,
  ValidationTypes,
} from 'class-validator';
import { type Dto, isPlainObject, transformerMetadata as transformer } from './body-binding.js';

/**
 * Whether a parsed JSON body is valid as it stands, by a check compiled once per DTO class from its
 * class-validator decorators: the same constraint objects, called the same way, without what
 * class-validator pays for every object (a metadata lookup, an instance to build, an error tree).
 * On a 1,000-job batch that was most of the request's CPU.
 *
 * The check only ever says "valid". A body it does not accept, or a DTO it cannot compile, goes the
 * whole way through class-validator (validation.ts), so every refusal and its messages are
 * class-validator's own. That makes it safe by construction as long as "accepted here" implies
 * "accepted there", which holds because it accepts less: only plain objects with no key the DTO
 * does not declare, every constraint returning exactly `true`, nested DTOs only as plain objects
 * (or arrays of them), and no class-transformer rule that would change a value (bodies are bound
 * without conversion, see body-binding.ts, so a converting @Type has no effect on either side).
 */
export type BodyCheck = (value: unknown) => boolean;

/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;
type PropertyCheck = (object: Record<string, unknown>) => boolean;

const compiled = new Map<Dto, BodyCheck | null>();

/** The compiled check for `dto`, or null when some rule of it is beyond this compiler. */
export function bodyCheck(dto: Dto): BodyCheck | null {
  if (!compiled.has(dto)) {
    compiled.set(dto, null); // a DTO nesting itself is left to the pipe
    compiled.set(dto, compile(dto));
  }
  return compiled.get(dto) ?? null;
}

function compile(dto: Dto): BodyCheck | null {
  const storage = getMetadataStorage();
  // As ValidationPipe's validator asks: no groups, `always` off, no strict groups.
  const metadata = storage.getTargetValidationMetadatas(dto, '', false, false);
  if (metadata.length === 0 || transformer.getStrategy(dto) !== 'none') return null;
  const properties = storage.groupByPropertyName(metadata);
  const checks: PropertyCheck[] = [];
  for (const [property, rules] of Object.entries(properties)) {
    const check = compileProperty(dto, property, rules);
    if (check === null) return null;
    checks.push(check);
  }
  const declared = new Set(Object.keys(properties));
  return (value) => {
    if (!isPlainObject(value)) return false;
    for (const key of Object.keys(value)) if (!declared.has(key)) return false;
    for (const check of checks) if (!check(value)) return false;
    return true;
  };
}

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

function compileProperty(dto: Dto, property: string, rules: ValidationMetadata[]): PropertyCheck | null {
  if (
    transformer.findTransformMetadatas(dto, property, PLAIN_TO_CLASS).length > 0 ||
    transformer.findExcludeMetadata(dto, property) !== undefined ||
    transformer.findExposeMetadata(dto, property) !== undefined
  ) {
    return null;
  }
  const conditions: ((object: object, value: unknown) => boolean)[] = [];
  const constraints: PropertyCheck[] = [];
  let nested: BodyCheck | null = null;
  for (const rule of rules) {
    switch (rule.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        conditions.push(rule.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.CUSTOM_VALIDATION: {
        const check = compileConstraint(dto, property, rule);
        if (check === null) return null;
        constraints.push(check);
        break;
      }
      case ValidationTypes.NESTED_VALIDATION:
        nested = nestedCheck(dto, property);
        if (nested === null) return null;
        break;
      default:
        return null; // IsDefined, promise validation, whitelist-only: left to the pipe
    }
  }
  const element = nested;
  return (object) => {
    const value = object[property];
    // IsOptional and ValidateIf: when one says no, class-validator checks nothing of the property.
    for (const condition of conditions) if (!condition(object, value)) return true;
    for (const constraint of constraints) if (!constraint(object)) return false;
    if (element === null || value === undefined) return true;
    return Array.isArray(value) ? value.every((item) => element(item)) : element(value);
  };
}

function compileConstraint(dto: Dto, property: string, rule: ValidationMetadata): PropertyCheck | null {
  const validators = getMetadataStorage().getTargetValidatorConstraints(rule.constraintCls);
  if (validators.length === 0 || validators.some((validator) => validator.async)) return null;
  const instances = validators.map((validator) => validator.instance);
  const { each, validateIf } = rule;
  // One arguments object per constraint, refilled for each value: a check runs to its end without
  // yielding, and a DTO never nests itself here (bodyCheck), so no two calls of it overlap. On a
  // 1,000-node workflow a fresh object per call was megabytes of garbage a request.
  const args: ValidationArguments = {
    targetName: dto.name,
    property,
    object: {},
    value: undefined,
    constraints: rule.constraints,
  };
  // Exactly true: a promise, or any other truthy answer, is left to the pipe.
  const valid = (item: unknown): boolean => {
    for (const instance of instances) if (instance.validate(item, args) !== true) return false;
    return true;
  };
  return (object) => {
    const value = object[property];
    if (validateIf !== undefined && !validateIf(object, value)) return true;
    args.object = object;
    args.value = value;
    return each && Array.isArray(value) ? value.every(valid) : valid(value);
  };
}

function nestedCheck(dto: Dto, property: string): BodyCheck | null {
  const type = transformer.findTypeMetadata(dto, property);
  if (type === undefined || type.options?.discriminator !== undefined) return null;
  const nested = type.typeFunction();
  if (typeof nested !== 'function') return null;
  return bodyCheck(nested as Dto); // which accepts plain objects only
}
