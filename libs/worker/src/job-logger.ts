import { Logger, type LoggerService } from '@nestjs/common';

export interface JobLogFields {
  jobId: string;
  jobType: string;
  queue: string;
  attempt: number;
}

/**
 * The logger a handler gets: every line carries the job's id, type, queue and attempt as fields
 * (with nestjs-pino they are JSON properties, not text to parse).
 */
export class JobLogger implements LoggerService {
  private readonly logger = new Logger('Job');

  constructor(private readonly fields: JobLogFields) {}

  log(message: unknown): void {
    this.logger.log(this.line(message));
  }

  error(message: unknown): void {
    this.logger.error(this.line(message));
  }

  warn(message: unknown): void {
    this.logger.warn(this.line(message));
  }

  debug(message: unknown): void {
    this.logger.debug(this.line(message));
  }

  verbose(message: unknown): void {
    this.logger.verbose(this.line(message));
  }

  private line(message: unknown): Record<string, unknown> {
    if (message instanceof Error) return { ...this.fields, err: message, msg: message.message };
    return { ...this.fields, msg: typeof message === 'string' ? message : JSON.stringify(message) };
  }
}
