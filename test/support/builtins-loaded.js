// Preloaded with `--require`: when the process exits, writes the Node built-in modules it loaded
// (process.moduleLoadList) to BUILTINS_LOADED_FILE, so a test can tell what a cold start paid for.
const { writeFileSync } = require('node:fs');

process.on('exit', () => writeFileSync(process.env.BUILTINS_LOADED_FILE, JSON.stringify(process.moduleLoadList)));
