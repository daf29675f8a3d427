import type { SystemUser } from './postgres-user.js';

export interface SupervisorOptions {
  /** The PostgreSQL installation to run (bin/, lib/, share/). */
  installation: string;
  /** Who runs PostgreSQL; undefined: the supervisor's own user. */
  runAs: SystemUser | undefined;
  dataDir: string;
  port: number;
  passwordFile: string;
  persistent: boolean;
  maxConnections: number;
  /** Server settings, each passed to postgres as `-c name=value`. */
  settings: Record<string, string>;
}

export type SupervisorMessage =
  | { type: 'ready' }
  | { type: 'failed'; reason: string }
  /** Something the service should log (a restart of the server). */
  | { type: 'log'; message: string };
