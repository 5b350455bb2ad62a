/**
 * Consumer-driven contract of an invoicing service that mails invoices as attachments (consumer
 * InvoicingService, provider MailService): one send with a PDF and an inline logo.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { exampleAdminToken, JSON_ANSWER_HEADERS, mailServicePact, sendMailPactRequest } from '../../support/pacts';

const { string } = MatchersV3;

const INVOICE_MAIL = {
  to_address: 'demo@mailinator.com',
  subject: 'Your invoice 42',
  body: 'Your invoice is attached.\n',
  html: '<p><img src="cid:logo@example.com"> Your invoice is attached.</p>',
  attachments: [
    {
      filename: 'invoice-42.pdf',
      content: Buffer.from('%PDF-1.7\n%fake\n').toString('base64'),
      content_type: 'application/pdf',
    },
    {
      filename: 'logo.png',
      content: Buffer.from('89504e470d0a1a0a', 'hex').toString('base64'),
      content_id: 'logo@example.com',
    },
  ],
};

async function mailInvoice(baseUrl: string, token: string): Promise<{ status: number; messageId?: string }> {
  const response = await fetch(`${baseUrl}/api/rest/v1/sendmail`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(INVOICE_MAIL),
  });
  const body = (await response.json()) as { messageId?: string };
  return { status: response.status, ...(body.messageId === undefined ? {} : { messageId: body.messageId }) };
}

const pact = mailServicePact('InvoicingService');

describe('InvoicingService → MailService', () => {
  it('when an authorized admin sends an invoice with a PDF and an inline logo, then send-mail answers 200 with the Message-ID', async () => {
    const token = await exampleAdminToken('invoicing-service');
    pact
      .given('an authorized user with the admin role exists')
      .uponReceiving('a request to send an invoice with attachments')
      .withRequest(sendMailPactRequest(INVOICE_MAIL, token))
      .willRespondWith({ status: 200, headers: JSON_ANSWER_HEADERS, body: { messageId: string('<a@example.com>') } });

    await pact.executeTest(async (server) => {
      const outcome = await mailInvoice(server.url, token);
      expect(outcome).toEqual({ status: 200, messageId: expect.any(String) });
    });
  });
});
