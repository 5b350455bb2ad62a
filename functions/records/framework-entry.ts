/** The entry for the stock functions-framework CLI: importing it registers `records` (our launcher starts from main.ts). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createRecordsApp } from './app';
import { recordsSettings } from './settings';

export const config = loadProcessConfig(recordsSettings);
export const app = createRecordsApp(config);
functions.http(app.target, app.handle);
