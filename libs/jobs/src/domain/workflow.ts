import { hash } from 'node:crypto';
import type { BackoffPolicy } from './backoff.js';
import type { JobStatus } from './job-status.js';
import { InvalidWorkflowError, type WorkflowProblem } from './job.errors.js';

/** Most nodes one workflow may have (docs/workflows.md). */
export const MAX_WORKFLOW_NODES = 10_000;
/** Most dependencies one node may have: a fan-in of every other node of a large workflow. */
export const MAX_NODE_DEPENDENCIES = MAX_WORKFLOW_NODES - 1;

/**
 * What a node does when a job it depends on is dead-lettered or cancelled: `cancel` (it is
 * cancelled too, and so are its own dependents), or `continue` (it runs anyway, once its other
 * dependencies have finished: a clean-up step).
 */
export const FAILURE_POLICIES = ['cancel', 'continue'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export interface Dependency {
  readonly ref: string;
  readonly onFailure: FailurePolicy;
}

/** The shape of a workflow: each node's reference and what it depends on. */
export interface WorkflowShape {
  readonly refs: readonly string[];
  readonly dependsOn: readonly (readonly Dependency[])[];
}

/**
 * Checks that a workflow is a DAG over its own nodes: references unique, every dependency names a
 * node, no node depends on itself or twice on the same node, no cycle. Throws InvalidWorkflowError
 * naming every problem (field paths relative to the request: `nodes.3.dependsOn.0`), or the cycle.
 */
export function checkWorkflow(shape: WorkflowShape): void {
  const { refs, dependsOn } = shape;
  const problems: WorkflowProblem[] = [];
  if (refs.length === 0) problems.push({ field: 'nodes', message: 'a workflow has at least one node' });
  if (refs.length > MAX_WORKFLOW_NODES) {
    problems.push({ field: 'nodes', message: `a workflow has at most ${MAX_WORKFLOW_NODES} nodes` });
  }
  if (problems.length > 0) throw new InvalidWorkflowError(problems);

  const indexOf = new Map<string, number>();
  refs.forEach((ref, index) => {
    const first = indexOf.get(ref);
    if (first === undefined) indexOf.set(ref, index);
    else
      problems.push({ field: `nodes.${index}.ref`, message: `"${ref}" is also the ref of nodes.${first}` });
  });
  // From each node to the nodes it depends on.
  const edges = dependsOn.map((dependencies, child) => {
    const seen = new Set<string>();
    const parents: number[] = [];
    dependencies.forEach(({ ref }, position) => {
      const field = `nodes.${child}.dependsOn.${position}`;
      const parent = indexOf.get(ref);
      if (parent === undefined) problems.push({ field, message: `no node has the ref "${ref}"` });
      else if (parent === child) problems.push({ field, message: 'a node cannot depend on itself' });
      else if (seen.has(ref)) problems.push({ field, message: `"${ref}" is listed twice` });
      else parents.push(parent);
      seen.add(ref);
    });
    return parents;
  });
  if (problems.length > 0) throw new InvalidWorkflowError(problems);

  const cycle = findCycle(edges);
  if (cycle !== null) {
    const path = [...cycle, ...cycle.slice(0, 1)].map((index) => refs[index] ?? '?').join(' → ');
    throw new InvalidWorkflowError([
      { field: 'nodes', message: `the dependencies form a cycle: ${path} (→: depends on)` },
    ]);
  }
}

/**
 * A cycle in the graph (node indexes, in order), or null. Iterative depth-first search (a
 * 10,000-node chain would overflow the stack of a recursive one): `path` is the current walk from
 * its root, each with the position of the next edge to follow.
 */
function findCycle(edges: readonly (readonly number[])[]): number[] | null {
  const UNSEEN = 0;
  const ON_PATH = 1;
  const DONE = 2;
  const mark = new Uint8Array(edges.length);
  for (let root = 0; root < edges.length; root += 1) {
    if (mark[root] !== UNSEEN) continue;
    const path: { node: number; next: number }[] = [{ node: root, next: 0 }];
    mark[root] = ON_PATH;
    for (let top = path.at(-1); top !== undefined; top = path.at(-1)) {
      const following = edges[top.node] ?? [];
      const child = following[top.next];
      if (child === undefined) {
        mark[top.node] = DONE;
        path.pop();
        continue;
      }
      top.next += 1;
      if (mark[child] === ON_PATH)
        return path.slice(path.findIndex((step) => step.node === child)).map((step) => step.node);
      if (mark[child] === UNSEEN) {
        mark[child] = ON_PATH;
        path.push({ node: child, next: 0 });
      }
    }
  }
  return null;
}

/** What a workflow's fingerprint is made of, per node: the node as prepared for its insert. */
export interface FingerprintedNode {
  readonly ref: string;
  /** The job's own fingerprint: type, queue and canonical payload (domain/fingerprint.ts). */
  readonly fingerprint: string;
  readonly priority: number;
  readonly runAt: string | null;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly concurrencyKey: string | null;
  readonly callbackUrl: string | null;
  readonly dependsOn: readonly Dependency[];
}

/**
 * The fingerprint of a workflow's content: a replay with its key must send the same. Built from the
 * nodes' own fingerprints, in a fixed order, so that each payload is made canonical once (by its
 * job's fingerprint), not twice: that was a tenth of a 1,000-node submit.
 */
export function workflowFingerprint(name: string | null, nodes: readonly FingerprintedNode[]): string {
  return hash(
    'sha256',
    JSON.stringify([
      name,
      nodes.map((node) => [
        node.ref,
        node.fingerprint,
        node.priority,
        node.runAt,
        node.maxAttempts,
        [node.backoff.type, node.backoff.delayMs, node.backoff.maxDelayMs],
        node.concurrencyKey,
        node.callbackUrl,
        node.dependsOn.map((dependency) => [dependency.ref, dependency.onFailure]),
      ]),
    ]),
  );
}

export const WORKFLOW_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * Where a workflow stands, from its nodes' statuses: running while any node is unfinished; then
 * completed when all completed, failed when any was dead-lettered, else cancelled.
 */
export function workflowStatus(counts: Readonly<Record<JobStatus, number>>): WorkflowStatus {
  if (counts.waiting + counts.pending + counts.processing + counts.failed > 0) return 'running';
  if (counts.dead_letter > 0) return 'failed';
  if (counts.cancelled > 0) return 'cancelled';
  return 'completed';
}
