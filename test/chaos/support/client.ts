import { setTimeout as delay } from 'node:timers/promises';
import { type Answer, sendUntilAnswered } from './http.js';

const isProblem = (headers: Headers): boolean =>
  headers.get('content-type')?.startsWith('application/problem+json') === true;

/** One job as the client submits it: the key is the client's, and how it knows the job again. */
export interface JobSpec {
  key: string;
  type: string;
  queue: string;
  payload: object;
  maxAttempts?: number;
}

function submitBody(job: JobSpec): object {
  return {
    type: job.type,
    queue: job.queue,
    payload: job.payload,
    idempotencyKey: job.key,
    ...(job.maxAttempts === undefined ? {} : { maxAttempts: job.maxAttempts }),
  };
}

/**
 * A REST client that submits through any instance, retries what was not answered (a refused
 * connection, a 503) with the same idempotency key, and records every acknowledged submit: the
 * record the invariants are checked against. Half the jobs go one by one, half in batches.
 */
export class ChaosClient {
  /** Idempotency key → the job id the service acknowledged for it. */
  readonly acknowledged = new Map<string, string>();
  /** How many answers of each status the client got, retries included (0: no answer). */
  readonly answers = new Map<number, number>();
  /** Answers that break the contract, such as a 500 or an id that changed on a replay. */
  readonly violations: string[] = [];

  constructor(private readonly urls: readonly string[]) {}

  private count = ({ status, headers }: Answer): void => {
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
    // An outage is a problem document that says when to come back.
    if (status === 503 && (headers.get('retry-after') === null || !isProblem(headers)))
      this.violations.push(
        `a 503 without Retry-After or a problem document (${String(headers.get('content-type'))})`,
      );
  };

  private acknowledge(key: string, id: string): void {
    const known = this.acknowledged.get(key);
    if (known !== undefined && known !== id)
      this.violations.push(`key ${key} acknowledged as ${known}, then ${id}`);
    this.acknowledged.set(key, id);
  }

  /** Submits every job, `concurrency` requests at a time; resolves once every one is acknowledged. */
  async submitAll(jobs: readonly JobSpec[], concurrency: number): Promise<void> {
    const batches: JobSpec[][] = [];
    for (let n = 0; n < jobs.length;) {
      // Alternately a single submit and a batch of up to 10.
      const size = batches.length % 2 === 0 ? 1 : 10;
      batches.push(jobs.slice(n, n + size));
      n += size;
    }
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        if (batch.length === 1) await this.submitOne(batch[0]!);
        else await this.submitBatch(batch);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }

  private async submitOne(job: JobSpec): Promise<void> {
    const answer = await sendUntilAnswered(this.urls, 'POST', '/v1/jobs', submitBody(job), this.count);
    if (answer.status === 201 || answer.status === 200) {
      this.acknowledge(job.key, (answer.body as { id: string }).id);
    } else {
      this.violations.push(`submit ${job.key}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  private async submitBatch(jobs: readonly JobSpec[]): Promise<void> {
    const body = { jobs: jobs.map(submitBody) };
    const answer = await sendUntilAnswered(this.urls, 'POST', '/v1/jobs/batch', body, this.count);
    if (answer.status !== 200) {
      this.violations.push(`batch: ${answer.status} ${JSON.stringify(answer.body)}`);
      return;
    }
    const items = (answer.body as { jobs: { status: number; id?: string; problem?: unknown }[] }).jobs;
    items.forEach((item, n) => {
      const job = jobs[n]!;
      if ((item.status === 201 || item.status === 200) && item.id !== undefined)
        this.acknowledge(job.key, item.id);
      else this.violations.push(`batch item ${job.key}: ${item.status} ${JSON.stringify(item.problem)}`);
    });
  }

  /**
   * Keeps submitting jobs made by `make` (the n-th job) until `until` settles or `max` jobs have
   * been acknowledged: load for the length of a fault. Each of the `concurrency` lanes waits
   * `pauseMs` after each of its requests.
   */
  async submitWhile(
    until: Promise<unknown>,
    make: (n: number) => JobSpec,
    concurrency: number,
    max: number,
    pauseMs = 0,
  ): Promise<void> {
    let done = false;
    void until.finally(() => {
      done = true;
    });
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!done && next < max) {
        const n = next++;
        if (n % 2 === 0) await this.submitOne(make(n));
        else {
          // A batch of 5 in place of one.
          next += 4;
          await this.submitBatch(Array.from({ length: 5 }, (_, k) => make(n + k)));
        }
        if (pauseMs > 0) await delay(pauseMs);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }

  /** Answers with a status of 500 or more other than 503: each one is a bug. */
  serverErrors(): number {
    let errors = 0;
    for (const [status, count] of this.answers) if (status >= 500 && status !== 503) errors += count;
    return errors;
  }
}
