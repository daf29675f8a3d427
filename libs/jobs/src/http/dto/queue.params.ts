import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOmittable } from '#conveyor/http';
import { IsName, NAME_SCHEMA } from './names.js';

export class QueueParams {
  @IsName()
  queue: string;
}

/** Pause or resume: the whole queue, or only `type` in it. */
export class QueueControlBody {
  @ApiPropertyOptional({
    ...NAME_SCHEMA,
    description: 'Only this job type of the queue; the whole queue when absent.',
    example: 'email.send',
  })
  @IsOmittable()
  @IsName()
  type?: string;
}
