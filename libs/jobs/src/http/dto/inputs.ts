import { validTimestamp } from '#conveyor/http';
import type { SubmitJobInput } from '../../application/commands/submit-job/submit-job.command.js';
import type { SubmitWorkflowInput } from '../../application/commands/submit-workflow/submit-workflow.command.js';
import type { SubmitJobBody } from './submit-job.body.js';
import type { SubmitWorkflowBody } from './workflow.body.js';

// Validated bodies as the commands take them: shared by the REST routes and by submits from
// in-process handlers (handler-submits.ts), which go through the same DTOs.

/** A submit's input from its body (POST /v1/jobs, a batch's job, a workflow's node). */
export function submitInput(
  namespace: string,
  body: SubmitJobBody,
  idempotencyKey: string | null,
): SubmitJobInput {
  return {
    namespace,
    type: body.type,
    queue: body.queue ?? null,
    payload: body.payload,
    priority: body.priority ?? 0,
    runAt: body.runAt === undefined ? null : validTimestamp(body.runAt),
    maxAttempts: body.maxAttempts ?? null,
    backoff:
      body.backoff === undefined
        ? null
        : {
            type: body.backoff.type,
            ...(body.backoff.delayMs === undefined ? {} : { delayMs: body.backoff.delayMs }),
            ...(body.backoff.maxDelayMs === undefined ? {} : { maxDelayMs: body.backoff.maxDelayMs }),
          },
    idempotencyKey,
    dedupeWindowSeconds: body.dedupeWindowSeconds ?? null,
    concurrencyKey: body.concurrencyKey ?? null,
    callbackUrl: body.callbackUrl ?? null,
  };
}

/** A workflow's input from its body (POST /v1/workflows). */
export function workflowInput(
  namespace: string,
  body: SubmitWorkflowBody,
  idempotencyKey: string | null,
): SubmitWorkflowInput {
  return {
    namespace,
    name: body.name ?? null,
    idempotencyKey,
    onParentFailure: body.onParentFailure ?? 'cancel',
    // Each node's job fields read as a submit's, extended in place: no copies of a thousand nodes.
    nodes: body.nodes.map((node) =>
      Object.assign(submitInput(namespace, node, null), {
        ref: node.ref,
        dependsOn: (node.dependsOn ?? []).map((dependency) =>
          typeof dependency === 'string'
            ? { ref: dependency, onFailure: null }
            : { ref: dependency.ref, onFailure: dependency.onFailure ?? null },
        ),
      }),
    ),
  };
}
