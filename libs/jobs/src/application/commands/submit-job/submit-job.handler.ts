import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { JobSubmitted } from '../../../domain/lifecycle.events.js';
import { SubmitGroupCommitter } from '../../../infrastructure/submit-group-committer.js';
import { currentTraceparent, NewJobs } from '../../new-jobs.js';
import { SubmitJobCommand, type SubmitJobResult } from './submit-job.command.js';

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(
    private readonly newJobs: NewJobs,
    private readonly committer: SubmitGroupCommitter,
    private readonly events: EventBus,
  ) {}

  async execute({ input }: SubmitJobCommand): Promise<SubmitJobResult> {
    const result = await this.committer.submit(this.newJobs.prepare(input, currentTraceparent()));
    this.events.publish(new JobSubmitted(result.job.queue, result.job.type, !result.created));
    return result;
  }
}
