import { DEFAULT_RETRY, retryingFetch } from './retry.js';

// The retry rules of the client (docs/client.md#retries), against a scripted transport: which
// answers and errors are retried, after how long, and when the client gives up.

const FAST = { ...DEFAULT_RETRY, baseDelayMs: 1 };

function scripted(...answers: (Response | Error)[]) {
  const sent: string[] = [];
  const fetchOnce = (request: Request): Promise<Response> => {
    sent.push(`${request.method} ${new URL(request.url).pathname}`);
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no answer scripted');
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { sent, fetchOnce };
}

const unavailable = (retryAfter: string) =>
  new Response('{}', { status: 503, headers: { 'Retry-After': retryAfter } });
const ok = () => new Response('{}', { status: 200 });
const post = (path: string) => new Request(`http://conveyor.test${path}`, { method: 'POST', body: '{}' });

describe('retryingFetch', () => {
  it('sends a request again after a 503 asks it to, with the same body', async () => {
    const bodies: string[] = [];
    const transport = scripted(unavailable('0'), ok());
    const fetchOnce = async (request: Request) => {
      bodies.push(await request.clone().text());
      return transport.fetchOnce(request);
    };
    const response = await retryingFetch(fetchOnce, FAST)(post('/v1/jobs/claim'));
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['{}', '{}']);
  });

  it('gives a 429 back at once when its Retry-After is longer than the longest wait', async () => {
    const { sent, fetchOnce } = scripted(
      new Response('{}', { status: 429, headers: { 'Retry-After': '60' } }),
    );
    const response = await retryingFetch(fetchOnce, FAST)(post('/v1/jobs'));
    expect(response.status).toBe(429);
    expect(sent).toHaveLength(1);
  });

  it('stops after its attempts and answers the last response', async () => {
    const { sent, fetchOnce } = scripted(
      unavailable('0'),
      unavailable('0'),
      unavailable('0'),
      unavailable('0'),
    );
    const response = await retryingFetch(fetchOnce, { ...FAST, attempts: 3 })(post('/v1/jobs'));
    expect(response.status).toBe(503);
    expect(sent).toHaveLength(3);
  });

  it('repeats after a network error only what may be repeated', async () => {
    const lost = () => new TypeError('fetch failed');
    for (const path of [
      '/v1/jobs',
      '/v1/jobs/batch',
      '/v1/workflows',
      '/v1/jobs/ack',
      '/v1/jobs/release',
      '/v1/jobs/1/complete',
    ]) {
      const { sent, fetchOnce } = scripted(lost(), ok());
      expect((await retryingFetch(fetchOnce, FAST)(post(path))).status).toBe(200);
      expect(sent).toHaveLength(2);
    }
    // A repeated claim would lease jobs to nobody; cancel, retry and redrive are the caller's call.
    for (const path of [
      '/v1/jobs/claim',
      '/v1/jobs/1/cancel',
      '/v1/jobs/1/retry',
      '/v1/dead-letter/redrive',
      '/v1/workflows/1/cancel',
      '/v1/workflows/1/retry',
    ]) {
      const { sent, fetchOnce } = scripted(lost(), ok());
      await expect(retryingFetch(fetchOnce, FAST)(post(path))).rejects.toThrow('fetch failed');
      expect(sent).toHaveLength(1);
    }
  });

  it("stops waiting when the request's signal aborts", async () => {
    const { fetchOnce } = scripted(unavailable('5'), ok());
    const controller = new AbortController();
    const request = new Request('http://conveyor.test/v1/stats', { signal: controller.signal });
    const answer = retryingFetch(fetchOnce, FAST)(request);
    setTimeout(() => {
      controller.abort(new Error('the caller gave up'));
    }, 20);
    await expect(answer).rejects.toThrow('the caller gave up');
  });
});
