/** Keyset position after the last job of a page. Opaque to clients: base64url of JSON. */
export interface JobCursor {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL's text form of a timestamptz, e.g. 2026-11-27 23:59:01.123456+00
const PG_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(:\d{2})?$/;

/** The shape is right and the moment exists (no 30 February, no 25:61): PostgreSQL would refuse it. */
function isTimestamp(text: string): boolean {
  const match = PG_TIMESTAMP.exec(text);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, offset] = [1, 2, 3, 4, 5, 6, 8].map((group) =>
    Number(match[group]),
  ) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offset <= 15
  );
}

export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** null when the text is not a cursor this service issued. */
export function decodeCursor(text: string): JobCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') return null;
    if (!isTimestamp(createdAt) || !UUID.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}
