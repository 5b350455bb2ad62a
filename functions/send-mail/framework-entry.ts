/**
 * The entry for the stock functions-framework CLI (`functions-framework --target=sendMail
 * --source=dist/send-mail/framework-entry.js`): importing it loads the configuration and registers
 * `sendMail` with the framework. Our own launcher starts from main.ts instead.
 */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createSendMailApp } from './app';
import { sendMailSettings } from './settings';

export const config = loadProcessConfig(sendMailSettings);
export const app = createSendMailApp(config);
functions.http(app.target, app.handle);
