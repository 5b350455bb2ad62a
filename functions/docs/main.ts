/** Production entry: our launcher hosting docs (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createDocsApp } from './app';

const config = loadProcessConfig();
runMain(createDocsApp(config), config);
