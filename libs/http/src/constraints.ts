import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * May be left out, but not sent as null: `{"backoff": null}` is refused like any other wrong type.
 * (class-validator's IsOptional skips null too, and the route would then read a field of null.)
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/**
 * Characters as PostgreSQL counts them in `varchar(n)` and `text`: Unicode code points. UTF-16
 * counts a character outside the BMP twice, and class-validator's Length does not count variation
 * selectors at all, so 200 × "a\uFE0F" passed a 255-character check and failed the column.
 */
export function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}

/** A string of `min` to `max` characters, counted as the database counts them (see codePoints). */
export function CharLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'charLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          // A UTF-16 length within [2 min, max] holds min..max code points: most strings stop here.
          if (value.length <= max && value.length >= 2 * min) return true;
          const length = codePoints(value);
          return length >= min && length <= max;
        },
        defaultMessage: () => `$property must be a string of ${min} to ${max} characters`,
      },
    },
    options,
  );
}

/** RFC 3339 date-time: `2026-11-27T23:55:54.064Z`, `2026-11-27T23:55:54+01:00`. */
const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function utc(year: number, month: number, day: number): number {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** The instants a timestamp may name: PostgreSQL's range is wider, RFC 3339's four-digit years are not. */
export const EARLIEST_TIMESTAMP = new Date(utc(1, 1, 1));
export const LATEST_TIMESTAMP = new Date(utc(10_000, 1, 1) - 1);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * The instant an RFC 3339 date-time names, to the millisecond, or null when the text is not one or
 * lies outside years 1–9999 in UTC (`9999-12-31T23:59:59-23:59` is in year 10000). A leap second
 * (`23:59:60` in UTC) is the first millisecond of the next minute, as PostgreSQL reads it.
 */
export function parseTimestamp(text: string): Date | null {
  const match = RFC_3339.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) =>
    Number(match[group]),
  ) as [number, number, number, number, number, number];
  const offsetSign = match[9] === '-' ? -1 : 1;
  const offsetHours = match[8] === undefined ? Number(match[10]) : 0;
  const offsetMinutes = match[8] === undefined ? Number(match[11]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return null;
  const offset = offsetSign * (offsetHours * 60 + offsetMinutes);
  if (second === 60) {
    const utcMinuteOfDay = (((hour * 60 + minute - offset) % 1440) + 1440) % 1440;
    if (utcMinuteOfDay !== 23 * 60 + 59) return null;
  }
  const milliseconds = Math.floor(Number(`0${match[7] ?? ''}`) * 1000);
  const time = utc(year, month, day) + ((hour * 60 + minute - offset) * 60 + second) * 1000 + milliseconds;
  if (time < EARLIEST_TIMESTAMP.getTime() || time > LATEST_TIMESTAMP.getTime()) return null;
  return new Date(time);
}

/** What IsTimestamp accepts, for the OpenAPI document. */
export const TIMESTAMP_RULE =
  'an RFC 3339 date-time with a time zone (2026-11-27T23:55:54.064Z), between years 1 and 9999 in UTC';

/** An RFC 3339 date-time that parseTimestamp accepts. */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseTimestamp(value) !== null,
        defaultMessage: () => `$property must be ${TIMESTAMP_RULE}`,
      },
    },
    options,
  );
}

/** parseTimestamp for a value IsTimestamp has accepted. */
export function validTimestamp(text: string): Date {
  const date = parseTimestamp(text);
  if (date === null) throw new Error(`"${text}" was validated as a timestamp but is not one`);
  return date;
}
