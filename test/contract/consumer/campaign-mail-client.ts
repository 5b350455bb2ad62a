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
  /** Idempotent-Replayed: true when the answer is the stored one of an earlier try. */
  readonly replayed: boolean;
}

/** `idempotencyKey`: one per mail, the same on every retry of it, so a retry never sends it twice. */
export async function sendCampaignMail(
  baseUrl: string,
  mail: CampaignMail,
  token?: string,
  idempotencyKey?: string,
): Promise<MailResult> {
  const response = await fetch(`${baseUrl}/api/rest/v1/sendmail`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: JSON.stringify(mail),
  });
  return {
    status: response.status,
    body: await response.json(),
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}
