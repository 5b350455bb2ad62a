/**
 * The campaign service's side of the contract, as its consumer test would hold it: the one call it
 * makes to send-mail, and what it reads from the answer.
 */
export interface CampaignMail {
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
}

export interface MailResult {
  readonly status: number;
  readonly body: unknown;
}

export async function sendCampaignMail(baseUrl: string, mail: CampaignMail, token?: string): Promise<MailResult> {
  const response = await fetch(`${baseUrl}/api/rest/v1/sendmail`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(mail),
  });
  return { status: response.status, body: await response.json() };
}
