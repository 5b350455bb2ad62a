/** PostgreSQL (issue 29): its settings, one connection for tools, and the migrations' location. */
export { openDatabase, type Database, type DatabaseConfig } from './database';
export { databaseSettings, databaseSpecs } from './settings';
