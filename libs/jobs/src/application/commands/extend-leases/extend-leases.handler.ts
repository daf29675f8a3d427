import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ExtendLeasesCommand } from './extend-leases.command.js';

@CommandHandler(ExtendLeasesCommand)
export class ExtendLeasesHandler implements ICommandHandler<ExtendLeasesCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  execute({ namespace, proofs, leaseSeconds }: ExtendLeasesCommand): Promise<Map<string, Date>> {
    return this.lifecycle.extendLeases(namespace, proofs, leaseSeconds);
  }
}
