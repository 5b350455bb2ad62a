/** The entry for the stock functions-framework CLI: importing it registers `feedback` (our launcher starts from main.ts). */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createFeedbackApp } from './app';
import { feedbackSettings } from './settings';

export const config = loadProcessConfig(feedbackSettings);
export const app = createFeedbackApp(config);
functions.http(app.target, app.handle);
