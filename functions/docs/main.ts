/** Production entry: our launcher hosting docs (without loading the framework; see shared/launcher). */
import { loadProcessConfig } from '../../shared/config';
import { runMain } from '../../shared/launcher';
import { createDocsApp } from './app';
import { docsSettings } from './settings';

const config = loadProcessConfig(docsSettings);
runMain(createDocsApp(config), config);
