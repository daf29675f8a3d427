// What every benchmark run records besides its figures, and where it writes them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { BenchServer } from './database.js';

export interface Machine {
  cores: number;
  cpu: string | undefined;
  memoryGiB: number;
  node: string;
}

/** The machine the benchmark runs on. */
export function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** A figure for a results table: rounded, with thousands separated ("12,155"). */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** One line for a table's heading: the machine, and the PostgreSQL of `server`. */
export function setupLine(on: Machine, server: BenchServer): string {
  return (
    `${on.cores} cores (${String(on.cpu)}), ${on.memoryGiB} GiB, Node ${on.node}, ` +
    `PostgreSQL ${server.settings.server_version} (${server.embedded ? 'embedded' : 'DATABASE_URL'})`
  );
}

/** Writes bench/results/<name>.json (the report) and <name>.md (the table), and prints the table. */
export function writeResults(name: string, report: object, table: string): void {
  // This file runs compiled, as dist/bench/lib/results.js; the results stay beside the sources, in
  // the repository's bench/results/.
  const resultsDir = new URL('../../../bench/results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL(`${name}.md`, resultsDir), table);
  console.log(`\n${table}`);
  console.log(`written: bench/results/${name}.json and .md`);
}
