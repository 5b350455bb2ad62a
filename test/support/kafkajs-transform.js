/**
 * Jest transform of one kafkajs file: the same one-line patch the bundles get (scripts/build.ts,
 * kafkajs#1751), so the in-process functions run what ships and Node 24 prints no TimeoutNegativeWarning.
 */
const TIMER = 'let scheduleAt = this.throttledUntil - Date.now()';

module.exports = {
  process(source, path) {
    if (!source.includes(TIMER)) throw new Error(`kafkajs changed: "${TIMER}" not found in ${path}; drop or update this patch`);
    return { code: source.replace(TIMER, 'let scheduleAt = Math.max(1, this.throttledUntil - Date.now())') };
  },
};
