/** Production entry: our launcher hosting docs. */
import { runMain } from '../../shared/launcher';
import { app, config } from './index';

runMain(app, config);
