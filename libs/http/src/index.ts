export { type Problem, ProblemException, problemType } from './problem.js';
export { plainProblem, ProblemDetailsFilter, toProblem } from './problem-details.filter.js';
export {
  createValidationPipe,
  type FieldError,
  fieldErrors,
  PRINTABLE_MESSAGE,
  PRINTABLE_PATTERN,
  uuidParam,
  validateBody,
  validationProblem,
} from './validation.js';
export {
  CharLength,
  codePoints,
  EARLIEST_TIMESTAMP,
  IsOmittable,
  IsTimestamp,
  LATEST_TIMESTAMP,
  parseTimestamp,
  TIMESTAMP_RULE,
  validTimestamp,
} from './constraints.js';
export { type BodyCheck, bodyCheck } from './compiled-check.js';
export { parseJsonBody } from './json-body.js';
export { isExactNumber } from './json-numbers.js';
export { JsonGuardPipe, jsonHazard, MAX_JSON_DEPTH } from './json-guard.pipe.js';
export {
  ApiProblems,
  JsonValueDocument,
  PROBLEM_MEANINGS,
  ProblemDocument,
  problemResponse,
  type Wire,
} from './openapi.js';
