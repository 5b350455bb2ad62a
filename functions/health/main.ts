/** Production entry: our launcher hosting health. */
import { runMain } from '../../shared/launcher';
import { app, config } from './index';

runMain(app, config);
