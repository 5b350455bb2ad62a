/**
 * kafkajs 2.2.4 (its last release) sets a timer to `throttledUntil - Date.now()`, negative while not
 * throttled; Node 24 then prints a TimeoutNegativeWarning on stderr at the first connection (kafkajs#1751)
 * and uses 1 ms. This writes that 1 ms out: the same behaviour, without the warning. The bundles
 * (scripts/build.ts) and Jest (test/support/kafkajs-transform.js) both apply it, so tests run what ships.
 */
const TIMER = 'let scheduleAt = this.throttledUntil - Date.now()';

/** The file of kafkajs that holds the timer. */
const KAFKAJS_TIMER_FILE = /[\\/]kafkajs[\\/]src[\\/]network[\\/]requestQueue[\\/]index\.js$/;

function patchKafkajsTimer(source, path) {
  if (!source.includes(TIMER))
    throw new Error(`kafkajs changed: "${TIMER}" not found in ${path}; drop or update this patch`);
  return source.replace(TIMER, 'let scheduleAt = Math.max(1, this.throttledUntil - Date.now())');
}

module.exports = { KAFKAJS_TIMER_FILE, patchKafkajsTimer };
