import type { Socket } from 'node:net';

const REASONS: Record<string, { status: number; title: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, title: 'Request Header Fields Too Large' },
};

/**
 * Answers a request Node refuses before any route sees it (headers over --max-http-header-size,
 * broken HTTP) with a problem document instead of a bare status line, and closes the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const { status, title } = REASONS[error.code ?? ''] ?? { status: 400, title: 'Bad Request' };
  const body = JSON.stringify({ type: 'about:blank', title, status });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
