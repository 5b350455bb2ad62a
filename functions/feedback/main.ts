/** Production entry: our launcher hosting feedback (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createFeedbackApp } from './app';
import { feedbackSettings } from './settings';

const config = loadProcessConfig(feedbackSettings);
runMain(createFeedbackApp(config), config);
