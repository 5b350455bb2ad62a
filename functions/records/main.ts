/** Production entry: our launcher hosting records (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createRecordsApp } from './app';
import { recordsSettings } from './settings';

const config = loadProcessConfig(recordsSettings);
runMain(createRecordsApp(config), config);
