import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { jobFingerprint } from '../../../domain/fingerprint.js';
import { SubmitGroupCommitter } from '../../../infrastructure/submit-group-committer.js';
import { SubmitJobCommand, type SubmitJobResult } from './submit-job.command.js';

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(private readonly committer: SubmitGroupCommitter) {}

  execute({ input }: SubmitJobCommand): Promise<SubmitJobResult> {
    const fingerprint = jobFingerprint(input.type, input.queue, input.payload);
    return this.committer.submit({
      id: randomUUID(),
      namespace: input.namespace,
      queue: input.queue,
      type: input.type,
      payload: input.payload,
      priority: input.priority,
      runAt: input.runAt?.toISOString() ?? null,
      maxAttempts: input.maxAttempts,
      backoff: input.backoff,
      idempotencyKey: input.idempotencyKey ?? fingerprint,
      fingerprint,
      dedupeWindowSeconds: input.dedupeWindowSeconds,
    });
  }
}
