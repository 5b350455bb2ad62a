/** Production entry: our launcher hosting health (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createHealthApp } from './app';
import { healthSettings } from './settings';

const config = loadProcessConfig(healthSettings);
runMain(createHealthApp(config), config);
