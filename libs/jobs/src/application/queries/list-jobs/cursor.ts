import type { ListPosition } from '../../ports/job-reads.js';

/**
 * Keyset position after the last job of a page: its creation time in whole microseconds since the
 * epoch (PostgreSQL's own precision, which a JavaScript Date would round to milliseconds) and its
 * id. Opaque to clients: base64url of JSON. Any cursor that decodes is one the database can use, so
 * a crafted one is a 400, never an error of the statement.
 */
export type JobCursor = ListPosition;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMicros, cursor.id])).toString('base64url');
}

/** null when the text is not a cursor this service issued. */
export function decodeCursor(text: string): JobCursor | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAtMicros, id] = value as unknown[];
  if (typeof createdAtMicros !== 'number' || !Number.isSafeInteger(createdAtMicros) || createdAtMicros < 0) {
    return null;
  }
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  return { createdAtMicros, id };
}
