/** How long `seconds` is, to the unit that matters: `42 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function age(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** How long ago `iso` was. */
export function ago(iso: string): string {
  return `${age((Date.now() - Date.parse(iso)) / 1000)} ago`;
}

/** A duration in milliseconds: `412 ms`, `3.2 s`, then as age() says it. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return age(ms / 1000);
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** A moment in the reader's time zone, with its date. */
export function dateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}

/** A moment's time of day, for moments close together (a job's attempts). */
export function timeOfDay(iso: string): string {
  return TIME.format(new Date(iso));
}

const NUMBER = new Intl.NumberFormat();

export function count(value: number): string {
  return NUMBER.format(value);
}

/** Seconds with a sensible precision: `0.002 s`, `1.4 s`, `12 s`. */
export function seconds(value: number): string {
  if (value < 0.01) return `${(value * 1000).toFixed(1)} ms`;
  if (value < 1) return `${Math.round(value * 1000)} ms`;
  return value < 10 ? `${value.toFixed(1)} s` : age(value);
}

/**
 * The last 8 hex digits of a uuid, enough to tell jobs apart on a screen. Not the first: job ids are
 * UUIDv7, whose first 8 digits are the time, alike for every job submitted in the same minute.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null): string | null {
  return traceparent?.split('-')[1] ?? null;
}

/** An error's first line, for a table cell (the whole of it is on the job's page). */
export function firstLine(text: string | null): string {
  return text?.split('\n', 1)[0] ?? '';
}

/** Any JSON value, indented, for <pre>. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
