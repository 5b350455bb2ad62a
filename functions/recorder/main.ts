/** Production entry: our launcher hosting recorder (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createRecorderApp } from './app';
import { recorderSettings } from './settings';

const config = loadProcessConfig(recorderSettings);
runMain(createRecorderApp(config), config);
