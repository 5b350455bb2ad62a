/** The use case: deliver one validated mail and report its message id. */
import { maskAddress, type Logger } from '../../shared/logging';
import type { Delivery } from './delivery';
import type { SendMailRequest } from './email';

export interface SendMailResult {
  readonly messageId: string;
}

export interface SendMailPorts {
  readonly delivery: Delivery;
  readonly logger: Logger;
}

export async function sendMail(request: SendMailRequest, traceId: string, ports: SendMailPorts): Promise<SendMailResult> {
  const { messageId } = await ports.delivery.send({
    to: request.toAddress,
    subject: request.subject,
    text: request.body,
    traceId,
  });
  ports.logger.info({ email: { to: { address: maskAddress(request.toAddress) }, message_id: messageId } }, 'mail delivered');
  return { messageId };
}
