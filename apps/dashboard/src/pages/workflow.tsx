import type { ConveyorClient, Workflow, WorkflowNode } from '@conveyor/client';
import { useId, useState } from 'preact/hooks';
import { count, duration, shortId } from '../format';
import { usePoll } from '../poll';
import { href } from '../route';
import { useSession } from '../session';
import { type Fact, Facts } from '../ui/facts';
import { type Move, MoveButton } from '../ui/move';
import { Pager, usePages } from '../ui/pager';
import { NotLoaded, Stale } from '../ui/states';
import { type JobStatus, jobStatusOf, StatusBadge, StatusOptions, WorkflowStatusBadge } from '../ui/status';
import { ErrorCell, Scrolling } from '../ui/table';
import { Ago, Moment } from '../ui/time';
import { layersOf, MAX_DRAWN_NODES, WorkflowGraph } from '../ui/workflow-graph';
import { WorkflowProgress } from '../ui/workflow-progress';

/** Nodes per page of the node table. */
const NODE_PAGE = 100;
/** A node's dependencies listed in its row; the rest are counted. */
const DEPENDENCIES_SHOWN = 3;

export function WorkflowPage({ id }: { id: string }) {
  const { client, caller } = useSession();
  const workflow = usePoll(() => client.getWorkflow(id), `workflow ${id}`);

  if (workflow.data === undefined) {
    return (
      <NotLoaded
        what="workflow"
        polled={workflow}
        list={{ label: 'All workflows', href: href({ page: 'workflows' }) }}
      >
        <p>
          No workflow has the id <code>{id}</code> in namespace <code>{caller.namespace}</code>.
        </p>
      </NotLoaded>
    );
  }
  const shown = workflow.data;
  // Column by column, so the table reads in the graph's order.
  const layers = layersOf(shown.nodes);
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {shown.name ?? 'Workflow'} <WorkflowStatusBadge status={shown.status} />
        </h1>
        <Actions workflow={shown} onChanged={workflow.refresh} />
      </div>
      <p class="subtitle">
        <code>{shown.id}</code>
      </p>
      {workflow.error !== undefined && <Stale error={workflow.error} />}
      <section aria-labelledby="summary" class="panel">
        <h2 id="summary">Summary</h2>
        <Summary workflow={shown} />
      </section>
      <section aria-labelledby="graph" class="panel">
        <h2 id="graph">Graph</h2>
        {shown.nodeCount > MAX_DRAWN_NODES ? (
          <p class="notice">
            {count(shown.nodeCount)} nodes are too many to draw (the graph shows up to {MAX_DRAWN_NODES}): the
            table below lists them all.
          </p>
        ) : (
          <WorkflowGraph layers={layers} />
        )}
      </section>
      <section aria-labelledby="nodes" class="panel">
        <h2 id="nodes">Nodes</h2>
        <NodeList nodes={layers.flat()} />
      </section>
    </>
  );
}

function Summary({ workflow }: { workflow: Workflow }) {
  const { startedAt, finishedAt } = workflow;
  const ended = finishedAt === null ? Date.now() : Date.parse(finishedAt);
  const took: Fact[] =
    startedAt === null
      ? []
      : [[finishedAt === null ? 'Running for' : 'Took', duration(ended - Date.parse(startedAt))]];
  return (
    <>
      <p class="summary-progress">
        <WorkflowProgress workflow={workflow} />
      </p>
      <Facts
        facts={[
          ['Created', <Moment iso={workflow.createdAt} />],
          ['Started', startedAt === null ? 'not yet' : <Moment iso={startedAt} />],
          ['Finished', finishedAt === null ? 'not yet' : <Moment iso={finishedAt} />],
          ...took,
          [
            'Idempotency key',
            workflow.idempotencyKey === null ? '–' : <code>{workflow.idempotencyKey}</code>,
          ],
        ]}
      />
    </>
  );
}

/** What a key that may act can do to the workflow now: cancel its unfinished part, retry its failed part. */
function movesFor(workflow: Workflow, client: ConveyorClient): Move[] {
  const { counts } = workflow;
  const unfinished = counts.waiting + counts.pending + counts.processing + counts.failed;
  const failed = counts.dead_letter + counts.cancelled;
  const name = workflow.name ?? shortId(workflow.id);
  const moves: Move[] = [];
  if (unfinished > 0) {
    moves.push({
      label: 'Cancel workflow',
      question: 'Cancel this workflow?',
      destructive: true,
      explanation:
        `Its unfinished nodes (${count(unfinished)}) will not run: waiting and pending ones never start, ` +
        "running ones' workers are told to stop. Completed nodes stay as they are, and the workflow can be " +
        'retried afterwards.',
      run: () => client.cancelWorkflow(workflow.id),
      said: `Workflow ${name} cancelled.`,
    });
  }
  if (failed > 0) {
    moves.push({
      label: 'Retry workflow',
      question: 'Retry this workflow?',
      destructive: false,
      explanation:
        `Its dead-lettered and cancelled nodes (${count(failed)}) start again with a fresh attempt budget, ` +
        'each once the nodes it depends on have completed.',
      run: () => client.retryWorkflow(workflow.id),
      said: `Workflow ${name} retried.`,
    });
  }
  return moves;
}

function Actions({ workflow, onChanged }: { workflow: Workflow; onChanged: () => void }) {
  const { client, permissions } = useSession();
  const moves = movesFor(workflow, client);
  if (!permissions.act || moves.length === 0) return null;
  return (
    <div class="actions">
      {moves.map((move) => (
        <MoveButton key={move.label} move={move} onChanged={onChanged} />
      ))}
    </div>
  );
}

/** The nodes as a table, a page at a time; a big workflow's can be narrowed to one status. */
function NodeList({ nodes }: { nodes: WorkflowNode[] }) {
  const [status, setStatus] = useState<JobStatus | undefined>(undefined);
  const filterId = useId();
  const shown = status === undefined ? nodes : nodes.filter((node) => node.status === status);
  return (
    <>
      {nodes.length > NODE_PAGE && (
        <div class="filters">
          <div class="field">
            <label for={filterId}>Status</label>
            <select
              id={filterId}
              value={status ?? ''}
              onChange={(event) => {
                setStatus(jobStatusOf(event.currentTarget.value));
              }}
            >
              <StatusOptions />
            </select>
          </div>
        </div>
      )}
      <NodePages key={status ?? ''} nodes={shown} />
    </>
  );
}

function NodePages({ nodes }: { nodes: WorkflowNode[] }) {
  const pages = usePages();
  const offset = Number(pages.cursor ?? 0);
  const next = offset + NODE_PAGE;
  if (nodes.length === 0) return <p class="muted">No node has this status.</p>;
  return (
    <>
      <NodeTable nodes={nodes.slice(offset, next)} />
      <Pager pages={pages} nextCursor={next < nodes.length ? String(next) : null} label="Pages of nodes" />
    </>
  );
}

function NodeTable({ nodes }: { nodes: WorkflowNode[] }) {
  const caption = "The workflow's nodes, in the graph's order";
  return (
    <Scrolling label={caption}>
      <table class="nodes">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">Depends on</th>
            <th scope="col">Queue</th>
            <th scope="col" class="number">
              Attempts
            </th>
            <th scope="col">Updated</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => (
            <tr key={node.ref}>
              <td>
                <a href={href({ page: 'job', id: node.jobId })}>
                  <span class="job-type">{node.ref}</span> <span class="muted">{node.type}</span>
                </a>
              </td>
              <td>
                <StatusBadge status={node.status} />
              </td>
              <td>{dependencies(node.dependsOn)}</td>
              <td>{node.queue}</td>
              <td class="number">
                {node.attempts}/{node.maxAttempts}
              </td>
              <td>
                <Ago iso={node.updatedAt} />
              </td>
              <ErrorCell error={node.lastError} />
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}

function dependencies(refs: string[]): string {
  if (refs.length === 0) return '–';
  const listed = refs.slice(0, DEPENDENCIES_SHOWN).join(', ');
  return refs.length <= DEPENDENCIES_SHOWN
    ? listed
    : `${listed} and ${count(refs.length - DEPENDENCIES_SHOWN)} more`;
}
