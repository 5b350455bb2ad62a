/** The function module: registers `docs` with the functions framework (stock CLI or our launcher). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createDocsApp, DOCS_TARGET } from './app';
import { docsSettings } from './settings';

export const config = loadProcessConfig(docsSettings);
export const app = createDocsApp(config);
functions.http(DOCS_TARGET, app.handle);
