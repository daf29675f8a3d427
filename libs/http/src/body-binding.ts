import { createRequire } from 'node:module';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

export type Dto = abstract new (...args: never[]) => unknown;

/** The part of class-transformer's metadata store read here and in compiled-check.ts (not exported by it). */
export interface TransformerMetadata {
  findTypeMetadata(
    target: object,
    property: string,
  ): { typeFunction: () => unknown; options?: { discriminator?: unknown } } | undefined;
  findTransformMetadatas(target: object, property: string, transformationType: number): unknown[];
  findExcludeMetadata(target: object, property: string): unknown;
  findExposeMetadata(target: object, property: string): unknown;
  getStrategy(target: object): string;
}

export const transformerMetadata = (
  createRequire(import.meta.url)('class-transformer/cjs/storage.js') as {
    defaultMetadataStorage: TransformerMetadata;
  }
).defaultMetadataStorage;

const PRIMITIVES = new Set<unknown>([String, Number, Boolean, Object, Array, Symbol, BigInt, Function]);

/** A class with class-validator rules (not a primitive's constructor). */
export function isDto(type: unknown): type is Dto {
  return typeof type === 'function' && !PRIMITIVES.has(type);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Per DTO: its properties that hold nested DTOs, and their classes. */
const nestedTypes = new Map<Dto, Map<string, Dto>>();

function nestedOf(dto: Dto): Map<string, Dto> {
  let nested = nestedTypes.get(dto);
  if (nested === undefined) {
    nested = new Map();
    const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', false, false);
    for (const rule of rules) {
      if (rule.type !== ValidationTypes.NESTED_VALIDATION) continue;
      const type = transformerMetadata.findTypeMetadata(dto, rule.propertyName)?.typeFunction();
      if (isDto(type)) nested.set(rule.propertyName, type);
    }
    nestedTypes.set(dto, nested);
  }
  return nested;
}

function instantiate(dto: Dto, object: Record<string, unknown>): object {
  const instance = Object.create(dto.prototype as object) as Record<string, unknown>;
  const nested = nestedOf(dto);
  for (const key of Object.keys(object)) {
    const type = nested.get(key);
    let member = object[key];
    if (type !== undefined) {
      // Anything but a plain object (or an array of them) stays as it is, for IsNested to refuse.
      const bind = (item: unknown): unknown => (isPlainObject(item) ? instantiate(type, item) : item);
      member = Array.isArray(member) ? member.map(bind) : bind(member);
    }
    // Defined, not assigned: a key named __proto__ is data like any other.
    Object.defineProperty(instance, key, {
      value: member,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return instance;
}

/**
 * A JSON body as an instance of its DTO, for class-validator: the same values, not copies, under
 * the DTO's prototype (nested DTOs likewise), so what is validated is exactly what the route gets.
 * Nothing is converted: JSON carries its own types, and a DTO's converting @Type rules are for
 * query strings. A missing body is `{}`; null when the body is not a JSON object.
 */
export function bindBody(dto: Dto, body: unknown): object | null {
  const value = body === undefined ? {} : body;
  return isPlainObject(value) ? instantiate(dto, value) : null;
}
