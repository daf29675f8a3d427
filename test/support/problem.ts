import type request from 'supertest';

/** The response is an RFC 9457 problem with this status (and, given, this Conveyor problem type). */
export function expectProblem(response: request.Response, status: number, type?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, title: expect.any(String) as unknown });
  if (type !== undefined)
    expect((response.body as { type: string }).type).toBe(`urn:conveyor:problem:${type}`);
}
