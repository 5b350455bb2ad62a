/** Production entry: our launcher hosting health (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createHealthApp } from './app';

const config = loadProcessConfig();
runMain(createHealthApp(config), config);
