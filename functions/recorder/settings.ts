/**
 * recorder's settings: the database (shared/db: its URL, pool and timeouts) and the event types it records
 * (EVENT_TYPE_PREFIX, the producers' own). One event's statement must fit in the request's budget.
 */
import { composeSettings, defineSettings, requestBudgetProblems, type Config } from '../../shared/config';
import { databaseBudgetShare, databaseSettings } from '../../shared/db';
import { eventPublishingSpecs } from '../../shared/events';

export const recorderSpecs = {
  EVENT_TYPE_PREFIX: eventPublishingSpecs.EVENT_TYPE_PREFIX,
};

const ownSettings = defineSettings({ owner: 'functions/recorder', specs: recorderSpecs });

type BudgetSettings = Readonly<{
  REQUEST_TIMEOUT_SECONDS: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
}>;

/** One event is one statement (store.ts): a connection, then that statement. */
export function recorderBudgetProblems(config: BudgetSettings): string[] {
  return requestBudgetProblems(config, [databaseBudgetShare(config, 'for one event')]);
}

export const recorderSettings = composeSettings('recorder', [ownSettings, databaseSettings], [recorderBudgetProblems]);

export type RecorderConfig = Config<(typeof recorderSettings)['specs']>;
