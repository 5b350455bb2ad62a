/**
 * recorder's settings: the database (shared/db: its URL, pool and timeouts) and the event types it records
 * (EVENT_TYPE_PREFIX, the producers' own). One transaction must fit in the request's budget.
 */
import { composeSettings, defineSettings, requestBudgetProblems, type Config } from '../../shared/config';
import { databaseSettings } from '../../shared/db';
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

/** A connection, then one transaction of a few statements, each bounded by the statement timeout. */
export function recorderBudgetProblems(config: BudgetSettings): string[] {
  return requestBudgetProblems(config, [
    { setting: 'DATABASE_CONNECT_TIMEOUT_MS', ms: config.DATABASE_CONNECT_TIMEOUT_MS },
    { setting: 'DATABASE_STATEMENT_TIMEOUT_MS', ms: config.DATABASE_STATEMENT_TIMEOUT_MS, note: '(one transaction)' },
  ]);
}

export const recorderSettings = composeSettings('recorder', [ownSettings, databaseSettings], [recorderBudgetProblems]);

export type RecorderConfig = Config<(typeof recorderSettings)['specs']>;
