export interface SupervisorOptions {
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
