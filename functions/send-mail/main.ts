/** Production entry: our launcher hosting send-mail (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createSendMailApp } from './app';

const config = loadProcessConfig();
runMain(createSendMailApp(config), config);
