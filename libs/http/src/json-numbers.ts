/**
 * Numbers in a JSON text that JavaScript would change: `1e309` parses to Infinity (stored as null),
 * `123456789012345678901234567890` to the nearest double. Such a number is refused, never stored
 * changed. A number is exact when the double it parses to prints as the same decimal value
 * (`1.50`, `1E2` and `0.1` are exact; `0.30000000000000000001` is not).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Any decimal with at most 15 significant digits survives a double unchanged (DBL_DIG). */
const ALWAYS_EXACT_LENGTH = 15;

function isNumberStart(code: number): boolean {
  return code === MINUS || (code >= ZERO && code <= NINE);
}

/** The index just past the string literal opening at `start`. */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

/** The index just past the number literal opening at `start`. */
function endOfNumber(text: string, start: number): number {
  let end = start + 1;
  while (end < text.length && /[0-9eE.+-]/.test(text.charAt(end))) end += 1;
  return end;
}

/** `[digits, exponent]` with value 0.digits × 10^exponent, no leading or trailing zeros; zero is ['', 0]. */
function decimal(literal: string): [string, number] {
  const unsigned = literal.startsWith('-') ? literal.slice(1) : literal;
  const [mantissa = '', exponentText = '0'] = unsigned.toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let exponent = whole.length + Number(exponentText);
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading).replace(/0+$/, '');
  exponent -= leading;
  return digits === '' ? ['', 0] : [digits, exponent];
}

export function isExactNumber(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  const [digits, exponent] = decimal(literal);
  const [printedDigits, printedExponent] = decimal(String(value));
  // The sign matters only for a non-zero value, and the double keeps it.
  return digits === printedDigits && (digits === '' || exponent === printedExponent);
}

/** Where the first inexact number of a valid JSON text starts, or -1. */
function firstInexactNumber(text: string): number {
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(text, i);
    } else if (isNumberStart(code)) {
      const end = endOfNumber(text, i);
      if (end - i > ALWAYS_EXACT_LENGTH || /[eE]/.test(text.slice(i, end))) {
        if (!isExactNumber(text.slice(i, end))) return i;
      }
      i = end;
    } else {
      i += 1;
    }
  }
  return -1;
}

/** The dotted path (`jobs.0.payload.big`) of the value starting at `offset` in a valid JSON text. */
function pathAt(text: string, offset: number): string {
  // One frame per open container: its key or index so far.
  const frames: { array: boolean; key: string; index: number }[] = [];
  let expectingKey = false;
  for (let i = 0; i < offset;) {
    const char = text.charAt(i);
    const frame = frames.at(-1);
    if (char === '"') {
      const end = endOfString(text, i);
      if (frame !== undefined && !frame.array && expectingKey) {
        frame.key = JSON.parse(text.slice(i, end)) as string;
        expectingKey = false;
      }
      i = end;
      continue;
    }
    if (char === '{' || char === '[') {
      frames.push({ array: char === '[', key: '', index: 0 });
      expectingKey = char === '{';
    } else if (char === '}' || char === ']') {
      frames.pop();
    } else if (char === ',' && frame !== undefined) {
      if (frame.array) frame.index += 1;
      else expectingKey = true;
    }
    i += 1;
  }
  return frames.map((frame) => (frame.array ? String(frame.index) : frame.key)).join('.');
}

/** The path of the first number in `text` (valid JSON) that parsing would change, or null. */
export function inexactNumberPath(text: string): string | null {
  const offset = firstInexactNumber(text);
  return offset === -1 ? null : pathAt(text, offset);
}
