/**
 * The function module: loads the configuration and registers `sendMail` with the functions framework,
 * so the stock CLI (`functions-framework --target=sendMail`) can host it as well as our launcher.
 */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createSendMailApp, SEND_MAIL_TARGET } from './app';
import { sendMailSettings } from './settings';

export const config = loadProcessConfig(sendMailSettings);
export const app = createSendMailApp(config);
functions.http(SEND_MAIL_TARGET, app.handle);
