/** The entry for the stock functions-framework CLI: importing it registers `health` (our launcher starts from main.ts). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createHealthApp } from './app';
import { healthSettings } from './settings';

export const config = loadProcessConfig(healthSettings);
export const app = createHealthApp(config);
functions.http(app.target, app.handle);
