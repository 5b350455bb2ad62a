/** The function module: registers `health` with the functions framework (stock CLI or our launcher). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createHealthApp, HEALTH_TARGET } from './app';

performance.mark('mailer:modules-loaded');
export const config = loadProcessConfig();
performance.mark('mailer:config-loaded');
export const app = createHealthApp(config);
functions.http(HEALTH_TARGET, app.handle);
