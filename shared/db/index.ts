/** PostgreSQL (issue 29): its settings, a function's pool (with the `database` breaker), one connection for tools. */
export { openDatabase, type Database, type DatabaseConfig } from './database';
export {
  createDatabasePool,
  DatabaseUnavailableError,
  isStatementError,
  type DatabasePool,
  type DatabasePoolConfig,
  type Queryable,
} from './pool';
export { databaseBudgetShare, databaseSettings, databaseSpecs } from './settings';
