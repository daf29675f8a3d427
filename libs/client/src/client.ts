import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './generated/api.js';
import { problemOf } from './problem.js';
import { DEFAULT_RETRY, type RetryPolicy, retryingFetch } from './retry.js';

type Schemas = components['schemas'];
type Query<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;

export type Job = Schemas['JobDocument'];
export type JobWithHistory = Schemas['JobWithHistoryDocument'];
export type JobPage = Schemas['JobPageDocument'];
export type ClaimedJob = Schemas['ClaimedJobDocument'];
export type SubmitJob = Schemas['SubmitJobBody'];
export type BatchOutcome = Schemas['BatchItemDocument'];
export type AckOutcome = Schemas['AckItemDocument'];
export type Queue = Schemas['QueueDocument'];
export type QueueLimits = Schemas['QueueLimitsBody'];
export type Stats = Schemas['JobStatsDocument'];
export type StatusHistory = Schemas['StatusHistoryDocument'];
export type Caller = Schemas['CallerDocument'];
export type ClaimRequest = Schemas['ClaimJobsBody'];
export type Acknowledgements = Schemas['AcknowledgeJobsBody'];
export type RedriveFilter = Schemas['RedriveBody'];
export type ParentOutcome = Schemas['ParentOutcomeDocument'];
export type SubmitWorkflow = Schemas['SubmitWorkflowBody'];
export type SubmitWorkflowNode = Schemas['WorkflowNodeBody'];
export type Workflow = Schemas['WorkflowDocument'];
export type WorkflowNode = Schemas['WorkflowNodeDocument'];
export type WorkflowSummary = Schemas['WorkflowSummaryDocument'];
export type WorkflowPage = Schemas['WorkflowPageDocument'];
export type ListJobsFilter = Query<'JobsController_list'>;
export type DeadLetterFilter = Query<'DeadLetterController_list'>;
export type ListWorkflowsFilter = Query<'WorkflowsController_list'>;

export interface ConveyorClientOptions {
  /** Where the service is: `https://conveyor.internal`, or `''` in a page the service serves. */
  baseUrl: string;
  /** An API key (`cvk_...`); sent as `Authorization: Bearer`. */
  apiKey: string;
  /** Act in this namespace (admin keys only; other keys act in their own). */
  namespace?: string;
  /** Retries on network errors, 429 and 503 (docs/client.md#retries). */
  retry?: Partial<RetryPolicy>;
  /** Another fetch (a test double, an agent with proxies); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * A typed client of the Conveyor REST API, for Node.js ≥ 20 and browsers (fetch only). Every
 * method answers the route's body, typed from /openapi.json, or throws a ConveyorProblem with the
 * service's problem document. `api` is the whole API, for routes without a method here.
 */
export class ConveyorClient {
  readonly api: Client<paths>;

  constructor(options: ConveyorClientOptions) {
    const fetchOnce = options.fetch ?? ((request: Request) => globalThis.fetch(request));
    this.api = createFetchClient<paths>({
      baseUrl: options.baseUrl,
      fetch: retryingFetch(fetchOnce, { ...DEFAULT_RETRY, ...options.retry }),
      headers: {
        Authorization: `Bearer ${options.apiKey}`,
        ...(options.namespace === undefined ? {} : { 'Conveyor-Namespace': options.namespace }),
      },
    });
  }

  /**
   * Submits a job. Without an idempotencyKey one is generated, so that the client's retries
   * (and yours, if you keep the key) can never make a second job. `replayed`: the key had
   * already made this job, which is answered as it is now.
   */
  async submit(job: SubmitJob): Promise<{ job: Job; replayed: boolean }> {
    const answer = await this.api.POST('/v1/jobs', { body: keyed(job) });
    return { job: unwrap(answer), replayed: wasReplayed(answer.response) };
  }

  /** Up to 1,000 submits in one call, each keyed as submit() keys it; one outcome per job, in order. */
  async submitBatch(jobs: SubmitJob[]): Promise<BatchOutcome[]> {
    return unwrap(await this.api.POST('/v1/jobs/batch', { body: { jobs: jobs.map(keyed) } })).jobs;
  }

  /**
   * Submits a workflow (docs/workflows.md): its nodes, all or none. Keyed as submit() keys a job,
   * so that a retry never makes a second workflow; `replayed`: the key had already made this
   * workflow, which is answered as it is now. A cycle or an unknown ref is a 400 naming it.
   */
  async submitWorkflow(workflow: SubmitWorkflow): Promise<{ workflow: Workflow; replayed: boolean }> {
    const answer = await this.api.POST('/v1/workflows', { body: keyed(workflow) });
    return { workflow: unwrap(answer), replayed: wasReplayed(answer.response) };
  }

  /** A workflow with every node's status, its counts and timing. */
  async getWorkflow(id: string): Promise<Workflow> {
    return unwrap(await this.api.GET('/v1/workflows/{id}', { params: { path: { id } } }));
  }

  /** Workflows, newest first, without their nodes; pass `nextCursor` back as `cursor` for the next page. */
  async listWorkflows(filter: ListWorkflowsFilter = {}): Promise<WorkflowPage> {
    return unwrap(await this.api.GET('/v1/workflows', { params: { query: filter } }));
  }

  /** Cancels every unfinished node (running ones' workers are told); answers the workflow as it is now. */
  async cancelWorkflow(id: string): Promise<Workflow> {
    return unwrap(await this.api.POST('/v1/workflows/{id}/cancel', { params: { path: { id } } }));
  }

  /** Its dead-lettered and cancelled nodes again, with fresh attempt budgets, each once its parents complete. */
  async retryWorkflow(id: string): Promise<Workflow> {
    return unwrap(await this.api.POST('/v1/workflows/{id}/retry', { params: { path: { id } } }));
  }

  /** A job and its history; with `waitSeconds` (up to 60), once it has finished or the time is up. */
  async getJob(id: string, options: { waitSeconds?: number } = {}): Promise<JobWithHistory> {
    const query = options.waitSeconds === undefined ? {} : { wait: options.waitSeconds };
    return unwrap(await this.api.GET('/v1/jobs/{id}', { params: { path: { id }, query } }));
  }

  async listJobs(filter: ListJobsFilter = {}): Promise<JobPage> {
    return unwrap(await this.api.GET('/v1/jobs', { params: { query: filter } }));
  }

  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<JobPage> {
    return unwrap(await this.api.GET('/v1/dead-letter', { params: { query: filter } }));
  }

  /** Dead letters back to pending (by filter, or `ids`); how many went. */
  async redrive(filter: RedriveFilter): Promise<number> {
    return unwrap(await this.api.POST('/v1/dead-letter/redrive', { body: filter })).redriven;
  }

  /** Cancels a job, a running one too (its worker is told); answers the job as it is now. */
  async cancel(id: string): Promise<Job> {
    return unwrap(await this.api.POST('/v1/jobs/{id}/cancel', { params: { path: { id } } }));
  }

  /** A dead-lettered or cancelled job back to pending with a fresh attempt budget. */
  async retry(id: string): Promise<Job> {
    return unwrap(await this.api.POST('/v1/jobs/{id}/retry', { params: { path: { id } } }));
  }

  async stats(): Promise<Stats> {
    return unwrap(await this.api.GET('/v1/stats'));
  }

  /** Per queue, jobs completed, failed and dead-lettered in each of the last `minutes` (1–1440) minutes. */
  async statsHistory(minutes?: number): Promise<StatusHistory> {
    const query = minutes === undefined ? {} : { minutes };
    return unwrap(await this.api.GET('/v1/stats/history', { params: { query } }));
  }

  /** The key making the calls: its id, name, namespace, scopes and expiry (never the key). */
  async me(): Promise<Caller> {
    return unwrap(await this.api.GET('/v1/me'));
  }

  async queues(): Promise<Queue[]> {
    return unwrap(await this.api.GET('/v1/queues')).queues;
  }

  /** Pauses a queue, or one type in it: claims stop taking its jobs; submits are still accepted. */
  async pauseQueue(queue: string, type?: string): Promise<Queue> {
    const body = type === undefined ? {} : { type };
    return unwrap(await this.api.POST('/v1/queues/{queue}/pause', { params: { path: { queue } }, body }));
  }

  async resumeQueue(queue: string, type?: string): Promise<Queue> {
    const body = type === undefined ? {} : { type };
    return unwrap(await this.api.POST('/v1/queues/{queue}/resume', { params: { path: { queue } }, body }));
  }

  async setQueueLimits(queue: string, limits: QueueLimits): Promise<Queue> {
    return unwrap(
      await this.api.PUT('/v1/queues/{queue}/limits', { params: { path: { queue } }, body: limits }),
    );
  }

  /** Leases up to `limit` (1–100) due jobs; none when nothing is due. */
  async claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    return unwrap(await this.api.POST('/v1/jobs/claim', { body: request })).jobs;
  }

  /** Extends a held job's lease; a ConveyorProblem `lease-lost` (409) means it is no longer yours. */
  async heartbeat(id: string, leaseToken: string, leaseSeconds?: number): Promise<string> {
    const body = leaseSeconds === undefined ? { leaseToken } : { leaseToken, leaseSeconds };
    return unwrap(await this.api.POST('/v1/jobs/{id}/heartbeat', { params: { path: { id } }, body }))
      .leaseExpiresAt;
  }

  /** Reports a held job's progress; false when throttled (too soon after the last report). */
  async progress(
    id: string,
    leaseToken: string,
    report: { percent?: number; data?: Record<string, unknown> },
  ): Promise<boolean> {
    const body = { leaseToken, ...report };
    return unwrap(await this.api.POST('/v1/jobs/{id}/progress', { params: { path: { id } }, body })).recorded;
  }

  /** Completes and fails many held jobs in one call; an outcome per job (`refused` with a problem). */
  async ack(acknowledgements: Acknowledgements): Promise<AckOutcome[]> {
    return unwrap(await this.api.POST('/v1/jobs/ack', { body: acknowledgements })).results;
  }

  /** Hands held jobs back unfinished (pending at once, the attempt not counted); how many went. */
  async release(jobs: { id: string; leaseToken: string }[]): Promise<number> {
    return unwrap(await this.api.POST('/v1/jobs/release', { body: { jobs } })).released;
  }
}

/** The body of a successful answer; a ConveyorProblem for any other. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok && answer.data !== undefined) return answer.data;
  throw problemOf(answer.error, answer.response);
}

/** The body with the caller's idempotency key, or a new one. */
function keyed<Body extends { idempotencyKey?: string }>(body: Body): Body & { idempotencyKey: string } {
  return { ...body, idempotencyKey: body.idempotencyKey ?? newIdempotencyKey() };
}

function wasReplayed(response: Response): boolean {
  return response.headers.get('Idempotent-Replayed') === 'true';
}

/** A random key: crypto.randomUUID where the platform has it (Node, secure browser contexts). */
export function newIdempotencyKey(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
