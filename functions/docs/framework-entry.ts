/** The entry for the stock functions-framework CLI: importing it registers `docs` (our launcher starts from main.ts). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createDocsApp } from './app';
import { docsSettings } from './settings';

export const config = loadProcessConfig(docsSettings);
export const app = createDocsApp(config);
functions.http(app.target, app.handle);
