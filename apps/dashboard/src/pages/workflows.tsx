import type { WorkflowSummary } from '@conveyor/client';
import { duration, shortId } from '../format';
import { usePoll } from '../poll';
import { href } from '../route';
import { useSession } from '../session';
import { Pager, usePages } from '../ui/pager';
import { Empty, NotYet, Stale } from '../ui/states';
import { WorkflowStatusBadge } from '../ui/status';
import { Scrolling } from '../ui/table';
import { Ago } from '../ui/time';
import { WorkflowProgress } from '../ui/workflow-progress';

const PAGE_SIZE = 50;

export function Workflows() {
  const { client } = useSession();
  const pages = usePages();
  const list = usePoll(
    () => client.listWorkflows({ limit: PAGE_SIZE, cursor: pages.cursor }),
    `workflows ${pages.cursor ?? ''}`,
  );
  return (
    <>
      <h1 tabIndex={-1}>Workflows</h1>
      <p class="lead">
        Jobs that wait for other jobs, submitted together. A node runs once every node it depends on has
        completed.
      </p>
      {list.data === undefined ? (
        <NotYet what="workflows" polled={list} />
      ) : (
        <>
          {list.error !== undefined && <Stale error={list.error} />}
          {list.data.items.length === 0 ? (
            <Empty title="No workflows yet">
              <p>
                Workflows appear here as soon as one is submitted (<code>POST /v1/workflows</code>, or{' '}
                <code>submitWorkflow()</code> of the client).
              </p>
            </Empty>
          ) : (
            <WorkflowTable workflows={list.data.items} />
          )}
          <Pager pages={pages} nextCursor={list.data.nextCursor} label="Pages of workflows" />
        </>
      )}
    </>
  );
}

function WorkflowTable({ workflows }: { workflows: WorkflowSummary[] }) {
  const caption = 'Workflows, newest first';
  return (
    <Scrolling label={caption}>
      <table class="workflows">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Status</th>
            <th scope="col">Nodes</th>
            <th scope="col">Created</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((workflow) => (
            <tr key={workflow.id}>
              <td>
                <a href={href({ page: 'workflow', id: workflow.id })}>
                  <span class="job-type">{workflow.name ?? 'unnamed'}</span>{' '}
                  <code class="id">{shortId(workflow.id)}</code>
                </a>
              </td>
              <td>
                <WorkflowStatusBadge status={workflow.status} />
              </td>
              <td>
                <WorkflowProgress workflow={workflow} />
              </td>
              <td>
                <Ago iso={workflow.createdAt} />
              </td>
              <td>{workflow.startedAt === null ? '–' : <Ago iso={workflow.startedAt} />}</td>
              <td>
                {workflow.finishedAt === null ? (
                  '–'
                ) : (
                  <>
                    <Ago iso={workflow.finishedAt} />
                    {workflow.startedAt !== null && (
                      <span class="muted">
                        {' '}
                        (took {duration(Date.parse(workflow.finishedAt) - Date.parse(workflow.startedAt))})
                      </span>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}
