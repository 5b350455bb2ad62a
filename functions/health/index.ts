/** The function module: registers `health` with the functions framework (stock CLI or our launcher). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createHealthApp, HEALTH_TARGET } from './app';

export const config = loadProcessConfig();
export const app = createHealthApp(config);
functions.http(HEALTH_TARGET, app.handle);
