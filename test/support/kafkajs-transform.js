/** Jest transform of kafkajs's request queue: the patch the bundles get (scripts/kafkajs-timer-patch.js). */
const { patchKafkajsTimer } = require('../../scripts/kafkajs-timer-patch.js');

module.exports = {
  process: (source, path) => ({ code: patchKafkajsTimer(source, path) }),
};
