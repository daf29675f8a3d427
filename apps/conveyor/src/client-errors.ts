import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { plainProblem } from '#conveyor/http';

const STATUSES: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const DETAILS: Record<number, string> = {
  400: 'The request is not well-formed HTTP.',
  408: 'The request did not arrive in time: its headers within CONVEYOR_HEADERS_TIMEOUT_MS, or the whole of it within CONVEYOR_REQUEST_TIMEOUT_MS.',
  431: 'The request headers are larger than this service accepts.',
};

/**
 * Answers a request Node refuses before any route sees it (headers over --max-http-header-size,
 * broken HTTP, a request that did not arrive within its timeout) with a problem document and the
 * headers every answer carries, instead of a bare status line, and closes the socket.
 */
export function clientErrorAnswer(
  headers: Readonly<Record<string, string>>,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    // Part of a response already went out: nothing can be added to it without corrupting it.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || error.code === 'ECONNRESET' || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const status = STATUSES[error.code ?? ''] ?? 400;
    const problem = plainProblem(status, DETAILS[status]);
    const body = JSON.stringify(problem);
    const lines = [
      `HTTP/1.1 ${status} ${problem.title}`,
      'Content-Type: application/problem+json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      // No request was read, so no id was given: this answer gets one of its own.
      `X-Request-Id: ${randomUUID()}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };
}
