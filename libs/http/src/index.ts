export { type Problem, ProblemException, problemType } from './problem.js';
export { ProblemDetailsFilter, toProblem } from './problem-details.filter.js';
export {
  createValidationPipe,
  type FieldError,
  fieldErrors,
  PRINTABLE_MESSAGE,
  PRINTABLE_PATTERN,
  uuidParam,
  validationProblem,
} from './validation.js';
export { type BodyCheck, bodyCheck } from './compiled-check.js';
export { JsonGuardPipe, jsonHazard, MAX_JSON_DEPTH } from './json-guard.pipe.js';
export { ApiProblems, ProblemDocument } from './openapi.js';
