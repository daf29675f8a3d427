// HTTP load with autocannon: a fixed number of connections for a fixed time, each request built
// by `body(i)` (i counts every request of the run, across connections).
import autocannon from 'autocannon';

export interface HttpLoadOptions {
  base: string;
  /** The bench API key, sent as a bearer token. */
  key: string;
  path: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  body: (i: number) => string;
}

export interface LoadLatency {
  p50: number;
  p99: number;
  max: number;
}

export interface HttpLoad {
  requestsPerSecond: number;
  latencyMs: LoadLatency;
  errors: number;
  /** Answers by status code, warm-up included. */
  statuses: Record<number, number>;
  /** Requests built, warm-up included. */
  sent: number;
  measured: number;
}

/**
 * Runs `warmupSeconds` of the same load first (its requests count for correctness checks, not for
 * the figures), then `seconds` measured. Returns requests per second, latency percentiles and the
 * status codes of both phases.
 */
export async function httpLoad({
  base,
  key,
  path,
  connections,
  seconds,
  warmupSeconds,
  body,
}: HttpLoadOptions): Promise<HttpLoad> {
  let sent = 0;
  const statuses: Record<number, number> = {};
  const run = (duration: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${base}${path}`,
          method: 'POST',
          connections,
          duration,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          requests: [
            {
              setupRequest: (request) => {
                const i = sent;
                sent += 1;
                return { ...request, body: body(i) };
              },
            },
          ],
        },
        (error, result) => {
          if (error) reject(error);
          else resolve(result);
        },
      );
      instance.on('response', (_client, statusCode) => {
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      });
    });
  if (warmupSeconds > 0) await run(warmupSeconds);
  const result = await run(seconds);
  return {
    requestsPerSecond: result.requests.total / seconds,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors + result.timeouts,
    statuses,
    sent,
    measured: result.requests.total,
  };
}
