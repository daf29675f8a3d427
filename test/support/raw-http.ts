import net from 'node:net';

/** An answer read off a socket: status, headers (lower-case names) and body text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  text: string;
}

/** Parses what came back on a raw socket: status line, headers, body. */
export function parseRaw(raw: string): RawAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    contentType: headers['content-type'] ?? '',
    text: split === -1 ? '' : raw.slice(split + 4),
  };
}

/**
 * Writes `parts` to a fresh connection as they are (latin1 bytes), `gapMs` apart, and reads until
 * the server closes it or `timeoutMs` passes. For what Node's own client refuses to send.
 */
export function rawExchange(
  port: number,
  parts: string | readonly string[],
  options: { gapMs?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const chunks = typeof parts === 'string' ? [parts] : [...parts];
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => {
      let index = 0;
      const next = (): void => {
        const chunk = chunks[index];
        if (chunk === undefined || socket.destroyed) return;
        index += 1;
        socket.write(chunk, 'latin1');
        if (index < chunks.length) setTimeout(next, options.gapMs ?? 0);
      };
      next();
    });
    socket.setTimeout(options.timeoutMs ?? 10_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A reset after the answer (the server closes on what it refuses) loses nothing we read.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(parseRaw(Buffer.concat(received).toString('utf8')));
    });
  });
}
