/** The function module: registers `health` with the functions framework (stock CLI or our launcher). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createHealthApp, HEALTH_TARGET } from './app';
import { healthSettings } from './settings';

export const config = loadProcessConfig(healthSettings);
export const app = createHealthApp(config);
functions.http(HEALTH_TARGET, app.handle);
