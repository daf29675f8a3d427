// CPU time of processes, read from /proc (Linux): what a job costs each process of a benchmark.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

interface ProcessStat {
  name: string;
  parent: number;
  /** User and system time so far. */
  cpuSeconds: number;
}

/** A process's name, parent and CPU time; undefined once it has gone. */
function stat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name is in parentheses and may hold spaces; after it, the parent is the 2nd field and
  // utime and stime the 12th and 13th.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
    parent: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
  };
}

/** CPU seconds used so far by each of `pids` that still runs. */
export function cpuOf(pids: readonly (number | undefined)[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    const found = pid === undefined ? undefined : stat(pid);
    if (pid !== undefined && found !== undefined) used.set(pid, found.cpuSeconds);
  }
  return used;
}

/**
 * CPU seconds used between two readings of cpuOf(), over the processes of `after`, or those of
 * them in `only` (one born since `before` counts from zero; one gone since is not counted).
 */
export function cpuBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  only?: readonly (number | undefined)[],
): number {
  let seconds = 0;
  for (const [pid, used] of after) {
    if (only === undefined || only.includes(pid)) seconds += used - (before.get(pid) ?? 0);
  }
  return seconds;
}

/** The processes named `name` among the descendants of this process (an embedded PostgreSQL's). */
export function descendantsNamed(name: string): number[] {
  const children = new Map<number, { pid: number; name: string }[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const found = stat(Number(entry));
    if (found === undefined) continue;
    children.set(found.parent, [
      ...(children.get(found.parent) ?? []),
      { pid: Number(entry), name: found.name },
    ]);
  }
  const named: number[] = [];
  const pending = [process.pid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (child.name === name) named.push(child.pid);
      pending.push(child.pid);
    }
  }
  return named;
}
