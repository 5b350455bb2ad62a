/** records' one way to the database's answers: a database that cannot answer is 503 records.store.unavailable. */
import { DatabaseUnavailableError } from '../../shared/db';
import { retryAfterSeconds } from '../../shared/resilience';
import { recordsError } from './errors';

export async function fromStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DatabaseUnavailableError)
      throw recordsError('records.store.unavailable', {
        headers: { 'Retry-After': retryAfterSeconds(err.retryAfterMs) },
        cause: err,
      });
    throw err;
  }
}
