import { Logger } from '@nestjs/common';
import pg from 'pg';
import { errorMessage } from './error-message.js';

export const JOBS_CHANNEL = 'conveyor_jobs';
/** A running job is being cancelled (payload: its id): its holder aborts it. */
export const CANCEL_CHANNEL = 'conveyor_cancel';

/**
 * LISTEN on a dedicated connection (not from the pool): the insert trigger NOTIFYs the queue name
 * when jobs become claimable, so an idle worker starts a job within milliseconds instead of at
 * its next poll; a cancel NOTIFYs the id of a running job, so its handler stops at once instead of
 * at its next heartbeat. Polling and heartbeats stay on as the safety net; a lost connection is
 * re-opened with backoff.
 */
export class WakeupListener {
  private readonly logger = new Logger('Wakeup');
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly onWake: (queue: string, type: string | undefined) => void,
    private readonly onCancel: (jobId: string) => void,
    /** Told when LISTEN cannot be had; `log` says so unless that is part of a database outage. */
    private readonly onFailure: (error: unknown, log: () => void) => void,
  ) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connection);
    this.client = client;
    client.on('notification', (message) => {
      if (message.payload === undefined) return;
      if (message.channel === CANCEL_CHANNEL) {
        this.onCancel(message.payload);
        return;
      }
      // `<queue><TAB><type>`; a bare queue name wakes every type of the queue.
      const [queue = '', type] = message.payload.split('\t');
      this.onWake(queue, type);
    });
    client.on('error', () => {
      this.reconnect(client);
    });
    client.on('end', () => {
      this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}; LISTEN ${CANCEL_CHANNEL}`);
      this.retryMs = 250;
    } catch (error) {
      this.onFailure(error, () => {
        this.logger.warn(`LISTEN failed, polling meanwhile: ${errorMessage(error)}`);
      });
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }
}
