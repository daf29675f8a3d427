import type { WorkflowNodeInput } from '#conveyor/jobs';

/**
 * A `test.node` node of a workflow submitted through the command bus: depends on `dependsOn` under
 * the workflow's policy, retried at once.
 */
export function testNode(
  ref: string,
  dependsOn: string[] = [],
  payload: Record<string, unknown> = {},
): WorkflowNodeInput {
  return {
    ref,
    type: 'test.node',
    queue: null,
    payload,
    priority: 0,
    runAt: null,
    maxAttempts: null,
    backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
    dependsOn: dependsOn.map((parent) => ({ ref: parent, onFailure: null })),
  };
}
