/**
 * The entry for the stock functions-framework CLI: importing it registers `recorder` as a `cloudEvent`
 * function (the framework decodes the event; a throw answers 500, so Knative redelivers). Our launcher
 * starts from main.ts instead, with probes, metrics and 4xx for events that can never be recorded.
 */
import * as functions from '@google-cloud/functions-framework';
import { loadProcessConfig } from '../../shared/config';
import { createRecorderApp } from './app';
import { recorderSettings } from './settings';

export const config = loadProcessConfig(recorderSettings);
export const app = createRecorderApp(config);
functions.cloudEvent<unknown>(app.target, async (event: functions.CloudEvent<unknown>) => {
  await app.receive(event);
});
