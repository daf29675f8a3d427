import { ApiProperty, ApiPropertyOptional, getSchemaPath, OmitType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, ValidateBy } from 'class-validator';
import { CharLength, IsOmittable } from '#conveyor/http';
import {
  FAILURE_POLICIES,
  type FailurePolicy,
  MAX_NODE_DEPENDENCIES,
  MAX_WORKFLOW_NODES,
} from '../../domain/workflow.js';
import { MAX_NAME_LENGTH, NAME_MESSAGE, NAME_PATTERN } from './names.js';
import { IsPrintableText } from './idempotency-key.js';
import { IsNested } from './nested.js';
import { SubmitJobBody } from './submit-job.body.js';

/** A node's reference: named like a job type, at most 128 characters. */
export const MAX_REF_LENGTH = 128;
const REF_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_REF_LENGTH,
  pattern: NAME_PATTERN.source,
} as const;

const isRef = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length >= 1 &&
  value.length <= MAX_REF_LENGTH &&
  NAME_PATTERN.test(value);

/** One dependency as sent: a ref, or { ref, onFailure }. */
export type DependencyInput = string | { ref: string; onFailure?: FailurePolicy };

function isDependency(value: unknown): value is DependencyInput {
  if (isRef(value)) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { ref, onFailure, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    isRef(ref) &&
    (onFailure === undefined || (FAILURE_POLICIES as readonly unknown[]).includes(onFailure))
  );
}

/** Each element a dependency: a ref, or { ref, onFailure }. */
function IsDependencyList(): PropertyDecorator {
  return ValidateBy({
    name: 'isDependencyList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.every(isDependency),
      defaultMessage: () =>
        `each element of $property must be a node's ref (1–${MAX_REF_LENGTH} letters, digits and . _ : / -) ` +
        `or { "ref": ref, "onFailure": "cancel" | "continue" }`,
    },
  });
}

export class DependencyBody {
  @ApiProperty({ ...REF_SCHEMA, description: 'The ref of the node depended on.' })
  ref: string;

  @ApiPropertyOptional({
    enum: FAILURE_POLICIES,
    description: "When that node is dead-lettered or cancelled. Default: the workflow's onParentFailure.",
  })
  onFailure?: FailurePolicy;
}

/** A node: a job as POST /v1/jobs takes it (its idempotency is the workflow's), its ref and dependencies. */
export class WorkflowNodeBody extends OmitType(SubmitJobBody, [
  'idempotencyKey',
  'dedupeWindowSeconds',
] as const) {
  @ApiProperty({
    ...REF_SCHEMA,
    description: "The node's name in this workflow, unique in it: 1–128 letters, digits and . _ : / -.",
    example: 'resize',
  })
  @IsString()
  @CharLength(1, MAX_REF_LENGTH)
  @Matches(NAME_PATTERN, { message: NAME_MESSAGE })
  ref: string;

  @ApiPropertyOptional({
    type: 'array',
    maxItems: MAX_NODE_DEPENDENCIES,
    items: { oneOf: [REF_SCHEMA, { $ref: getSchemaPath(DependencyBody) }] },
    description:
      'The nodes this one waits for: their refs, or { ref, onFailure } to choose what happens when that one ' +
      'fails for good. It runs once all of them have completed, with their results. Default: none (it starts at once).',
    example: ['fetch', { ref: 'cleanup-lock', onFailure: 'continue' }],
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_NODE_DEPENDENCIES)
  @IsDependencyList()
  dependsOn?: DependencyInput[];
}

export class SubmitWorkflowBody {
  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description: 'A name to recognise it by, 1–255 printable characters. Default: none.',
    example: 'nightly-report',
  })
  @IsPrintableText()
  name?: string;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description:
      'Deduplication key, 1–255 printable characters; or the Idempotency-Key header (not both, unless equal). ' +
      'Sent again with the same workflow, it answers the workflow already submitted, for as long as that exists. ' +
      'Default: none (every submit is a new workflow).',
    example: 'report-2026-12-03',
  })
  @IsPrintableText()
  idempotencyKey?: string;

  @ApiPropertyOptional({
    enum: FAILURE_POLICIES,
    description:
      'What a node does when a node it depends on is dead-lettered or cancelled: cancel (it and its own dependents ' +
      'are cancelled) or continue (it runs anyway: a clean-up step). Default: cancel.',
  })
  @IsOmittable()
  @IsIn(FAILURE_POLICIES)
  onParentFailure?: FailurePolicy;

  @ApiProperty({
    type: [WorkflowNodeBody],
    minItems: 1,
    maxItems: MAX_WORKFLOW_NODES,
    description: `1 to ${MAX_WORKFLOW_NODES} nodes, whose dependencies form no cycle.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WORKFLOW_NODES)
  @IsNested(() => WorkflowNodeBody, { each: true })
  nodes: WorkflowNodeBody[];
}
