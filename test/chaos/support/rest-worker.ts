/**
 * A worker over REST, as a team would write one in another language: claim, do the work (an effect
 * in its own table), acknowledge the batch. It journals what it is about to acknowledge, so that
 * after a kill -9 it sends those acknowledgements again: the service must answer each one the
 * same way (200, a replay) or say the lease is gone (409 lease-lost), never anything else.
 *
 * Env: CONVEYOR_URLS (comma separated), JOURNAL (a file kept across restarts), DATABASE_URL (where
 * its effects go), LEASE_SECONDS. Prints "ready", and "UNEXPECTED ..." for an answer it must not get.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { REST_QUEUE } from './chaos-handlers.js';
import { sendUntilAnswered } from './http.js';

interface Held {
  id: string;
  leaseToken: string;
}

const urls = (process.env['CONVEYOR_URLS'] ?? '').split(',');
const journal = process.env['JOURNAL'] ?? '';
const leaseSeconds = Number(process.env['LEASE_SECONDS'] ?? '2');
const db = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
await db.connect();

function unexpected(what: string, status: number, body: unknown): void {
  process.stdout.write(`UNEXPECTED ${what}: ${status} ${JSON.stringify(body)}\n`);
}

function writeJournal(entries: readonly Held[]): void {
  writeFileSync(`${journal}.tmp`, JSON.stringify(entries));
  renameSync(`${journal}.tmp`, journal);
}

const ignore = (): void => undefined;

/**
 * How long the work of one claimed batch takes: long enough that the queue is still draining when
 * the scenario's kills land (3 workers × 5 jobs per 100 ms ≈ 150 jobs/s), and that most of a
 * worker's time is spent holding leases with nothing acknowledged, which is what a kill must hit.
 */
const WORK_MS = 100;

/** A 409 that means "not yours any more": the lease ran out, or another attempt holds the job. */
function isLeaseLost(body: unknown): boolean {
  return (body as { type?: string } | null)?.type === 'urn:conveyor:problem:lease-lost';
}

// After a crash: the acknowledgements that may or may not have reached the service.
if (existsSync(journal)) {
  for (const held of JSON.parse(readFileSync(journal, 'utf8')) as Held[]) {
    const answer = await sendUntilAnswered(
      urls,
      'POST',
      `/v1/jobs/${held.id}/complete`,
      { leaseToken: held.leaseToken, result: { by: 'journal' } },
      ignore,
    );
    if (!(answer.status === 200 || (answer.status === 409 && isLeaseLost(answer.body)))) {
      unexpected('complete replayed from the journal', answer.status, answer.body);
    }
  }
}
writeJournal([]);
process.stdout.write('ready\n');

const stop = new AbortController();
process.once('SIGTERM', () => {
  stop.abort();
});

while (!stop.signal.aborted) {
  const claimed = await sendUntilAnswered(
    urls,
    'POST',
    '/v1/jobs/claim',
    { queue: REST_QUEUE, limit: 5, leaseSeconds, workerId: `rest-${process.pid}` },
    ignore,
  );
  if (claimed.status !== 200) {
    unexpected('claim', claimed.status, claimed.body);
    await delay(200);
    continue;
  }
  const jobs = (claimed.body as { jobs: Held[] }).jobs;
  if (jobs.length === 0) {
    await delay(50);
    continue;
  }
  for (const job of jobs) {
    await db.query('INSERT INTO chaos_rest_effects (job_id, lease_token, pid) VALUES ($1, $2, $3)', [
      job.id,
      job.leaseToken,
      process.pid,
    ]);
  }
  // The work takes a while, so that kills land on leases held with nothing acknowledged yet.
  await delay(WORK_MS);
  writeJournal(jobs);
  const acked = await sendUntilAnswered(
    urls,
    'POST',
    '/v1/jobs/ack',
    { complete: jobs.map((job) => ({ id: job.id, leaseToken: job.leaseToken, result: { by: 'ack' } })) },
    ignore,
  );
  if (acked.status !== 200) {
    unexpected('ack', acked.status, acked.body);
  } else {
    for (const item of (acked.body as { results: { outcome: string; problem?: unknown }[] }).results) {
      if (item.outcome !== 'completed' && !(item.outcome === 'refused' && isLeaseLost(item.problem))) {
        unexpected('ack item', 200, item);
      }
    }
  }
  writeJournal([]);
}
await db.end();
process.exit(0);
