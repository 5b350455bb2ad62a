/** The send-mail function's one body limit: its largest request, a single send with attachments or a batch. */
import { sendBodyLimit } from './attachments';
import { batchBodyLimit } from './batch-request';

/** The settings it follows from (typed here, not from settings.ts, which uses it). */
interface BodySettings {
  readonly MAX_BODY_BYTES: number;
  readonly MAX_ATTACHMENT_BYTES: number;
  readonly MAX_ATTACHMENTS: number;
  readonly MAX_BATCH_SIZE: number;
}

export function sendMailBodyLimit(config: BodySettings): number {
  return Math.max(
    sendBodyLimit(config.MAX_BODY_BYTES, {
      maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES,
      maxAttachments: config.MAX_ATTACHMENTS,
    }),
    batchBodyLimit({ maxBatchSize: config.MAX_BATCH_SIZE, maxBodyBytes: config.MAX_BODY_BYTES }),
  );
}
