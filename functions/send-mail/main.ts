/** Production entry: our launcher hosting send-mail (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createSendMailApp } from './app';
import { sendMailSettings } from './settings';

const config = loadProcessConfig(sendMailSettings);
runMain(createSendMailApp(config), config);
