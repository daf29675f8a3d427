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

/** Per DTO: the properties it declares, and those of them that hold nested DTOs, with their classes. */
interface Shape {
  declared: ReadonlySet<string>;
  nested: ReadonlyMap<string, Dto>;
}
const shapes = new Map<Dto, Shape>();

function shapeOf(dto: Dto): Shape {
  let shape = shapes.get(dto);
  if (shape === undefined) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', false, false);
    const nested = new Map<string, Dto>();
    for (const rule of rules) {
      if (rule.type !== ValidationTypes.NESTED_VALIDATION) continue;
      const type = transformerMetadata.findTypeMetadata(dto, rule.propertyName)?.typeFunction();
      if (isDto(type)) nested.set(rule.propertyName, type);
    }
    shape = { declared: new Set(rules.map((rule) => rule.propertyName)), nested };
    shapes.set(dto, shape);
  }
  return shape;
}

function instantiate(dto: Dto, object: Record<string, unknown>, path: string, unknown: string[]): object {
  const instance = Object.create(dto.prototype as object) as Record<string, unknown>;
  const { declared, nested } = shapeOf(dto);
  for (const key of Object.keys(object)) {
    // Checked here, not by class-validator's whitelist, which takes a key named like a member of
    // Object.prototype (constructor, toString, __proto__) for a declared one.
    if (!declared.has(key)) unknown.push(`${path}${key}`);
    const type = nested.get(key);
    let member = object[key];
    if (type !== undefined) {
      // Anything but a plain object (or an array of them) stays as it is, for IsNested to refuse.
      const bind = (item: unknown, at: string): unknown =>
        isPlainObject(item) ? instantiate(type, item, `${at}.`, unknown) : item;
      member = Array.isArray(member)
        ? member.map((item, index) => bind(item, `${path}${key}.${index}`))
        : bind(member, `${path}${key}`);
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

/** A body bound to its DTO, and the dotted paths of the fields it has that the DTOs do not declare. */
export interface BoundBody {
  instance: object;
  unknownFields: string[];
}

/**
 * A JSON body as an instance of its DTO, for class-validator: the same values, not copies, under
 * the DTO's prototype (nested DTOs likewise), so what is validated is exactly what the route gets.
 * Nothing is converted: JSON carries its own types, and a DTO's converting @Type rules are for
 * query strings. A missing body is `{}`; null when the body is not a JSON object.
 */
export function bindBody(dto: Dto, body: unknown): BoundBody | null {
  const value = body === undefined ? {} : body;
  if (!isPlainObject(value)) return null;
  const unknownFields: string[] = [];
  return { instance: instantiate(dto, value, '', unknownFields), unknownFields };
}
