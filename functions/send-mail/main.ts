/** Production entry: our launcher hosting send-mail. */
import { runMain } from '../../shared/launcher';
import { app, config } from './index';

runMain(app, config);
