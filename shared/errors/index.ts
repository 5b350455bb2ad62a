export {
  AppError,
  errorFactory,
  isAppError,
  type AppErrorOptions,
  type ErrorCode,
  type ErrorCodeOwners,
  type FieldProblem,
} from './app-error';
export { httpError, httpErrorStatus, type HttpErrorCode } from './codes';
export { toErrorResponse, type ErrorBody, type ErrorResponse } from './sink';
export { errorBodySchema } from './schema';
