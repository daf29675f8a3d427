import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { KeyCheck } from '#conveyor/auth';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { isDatabaseUnavailable } from '#conveyor/database';
import { plainProblem, type Problem, ProblemException } from '#conveyor/http';
import { JobMetrics } from './job-metrics.js';

/** What every answer of the metrics port carries, its problems included: never cached, never sniffed. */
const PLAIN_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/**
 * `GET /metrics` on a port of its own (CONVEYOR_METRICS_PORT), not on the API's: the metrics name
 * every namespace's queues and types, so the scrape port stays off the public Service, reachable by
 * the scraper alone. With CONVEYOR_METRICS_AUTH it asks for a key with `metrics:read` as well.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly metrics: JobMetrics,
    private readonly keys: KeyCheck,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  /** The port it listens on, once listening; null when CONVEYOR_METRICS_PORT is off. */
  get port(): number | null {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port } = this.config.metrics;
    if (port === null) return;
    const server = createServer((request, response) => {
      void this.answer(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Every interface, like the API: in a container the scraper does not come from localhost.
      server.listen(port, '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`metrics on port ${this.port ?? port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics') throw new ProblemException(plainProblem(404, 'Metrics are at /metrics.'));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        throw new ProblemException(plainProblem(405, 'Use GET.')).withHeader('Allow', 'GET, HEAD');
      }
      if (this.config.auth.protectMetrics) {
        await this.keys.principalWith(request.headers.authorization, 'metrics:read');
      }
      const text = await this.metrics.registry.metrics();
      response.writeHead(200, {
        ...PLAIN_HEADERS,
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch (error) {
      let problem: Problem;
      let headers: Record<string, string> = {};
      if (error instanceof ProblemException) {
        problem = error.problem;
        headers = error.headers;
      } else if (isDatabaseUnavailable(error)) {
        problem = plainProblem(
          503,
          'The database is unavailable; the gauges that read it cannot be computed.',
        );
        headers = { 'Retry-After': '2' };
      } else {
        this.logger.error(error instanceof Error ? error.stack : String(error));
        problem = plainProblem(500);
      }
      response.writeHead(problem.status, {
        ...PLAIN_HEADERS,
        ...headers,
        'Content-Type': 'application/problem+json',
      });
      response.end(JSON.stringify(problem));
    }
  }
}
