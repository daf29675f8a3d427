export interface SupervisorOptions {
  dataDir: string;
  port: number;
  passwordFile: string;
  persistent: boolean;
  maxConnections: number;
}

export type SupervisorMessage = { type: 'ready' } | { type: 'failed'; reason: string };
