/** What a dead-letter log line looks like, for the writer (dead-letters.ts) and its readers (the replay tool). */

/** Every dead-letter line's message ends so: `<name> event not published: dead letter`, e.g. `email.sent …`. */
export const DEAD_LETTER_MESSAGE_SUFFIX = ' event not published: dead letter';
/** The code of a failed send's dead letter. */
export const FAILED_CODE = 'events.publish.failed';
/** The code of a held dead letter: what the event reports may not have happened. */
export const HELD_CODE = 'events.publish.held';

/** Whether a log line's message is a dead letter's. */
export function isDeadLetterMessage(message: unknown): boolean {
  return typeof message === 'string' && message.endsWith(DEAD_LETTER_MESSAGE_SUFFIX);
}
