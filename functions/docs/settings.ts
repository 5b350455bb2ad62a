/** docs serves committed files: it needs the common settings only, and no secret. */
import { composeSettings, type Config } from '../../shared/config';

export const docsSettings = composeSettings('docs', []);

export type DocsConfig = Config<(typeof docsSettings)['specs']>;
