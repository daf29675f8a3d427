import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, and the lines parsed back into records. */
export function captureLogs(): {
  destination: DestinationStream;
  lines: string[];
  records(): Record<string, unknown>[];
} {
  const lines: string[] = [];
  return {
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
