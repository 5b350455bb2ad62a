/** Runs `fn` and returns the AppError it throws; fails the test when it throws nothing or something else. */
import { AppError } from '../../shared/errors';

export function thrownAppError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError to be thrown');
}
