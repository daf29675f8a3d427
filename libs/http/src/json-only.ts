import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Express middleware: a request that carries a body in anything but JSON gets a 415 problem
 * instead of being read as an empty body and failing validation with a confusing 400.
 */
export function jsonBodiesOnly(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  if (!hasBody(request) || JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    next();
    return;
  }
  response.statusCode = 415;
  response.setHeader('Content-Type', 'application/problem+json');
  response.end(
    JSON.stringify({
      type: 'urn:conveyor:problem:unsupported-media-type',
      title: 'The body must be JSON.',
      status: 415,
      detail: 'Send the body with Content-Type: application/json.',
      instance: request.url,
    }),
  );
}
