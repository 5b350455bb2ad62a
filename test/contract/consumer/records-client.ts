/**
 * The consumers' side of the records API as their code calls it: the campaign service asks what became of
 * a mail it sent; the mailer's admin console manages the suppression list.
 */
/** The mail and the address the pacts are about; the provider's states record exactly these. */
export const PACT_MESSAGE_ID = '<0f8fad5b-d9cb-469f-a165-70867728950e@bounces.example.com>';
export const PACT_SUPPRESSED = 'gone@example.org';

export interface ClientAnswer {
  readonly status: number;
  readonly body: unknown;
}

async function call(url: string, init: RequestInit): Promise<ClientAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

export function mailTimeline(base: string, messageId: string, token: string): Promise<ClientAnswer> {
  return call(`${base}/api/rest/v1/emails/${encodeURIComponent(messageId)}`, { headers: auth(token) });
}

export function suppress(base: string, address: string, token: string): Promise<ClientAnswer> {
  return call(`${base}/api/rest/v1/suppressions/${encodeURIComponent(address)}`, {
    method: 'PUT',
    headers: auth(token),
  });
}

export function lookUpSuppression(base: string, address: string, token: string): Promise<ClientAnswer> {
  return call(`${base}/api/rest/v1/suppressions/${encodeURIComponent(address)}`, { headers: auth(token) });
}

export function reactivate(base: string, address: string, token: string): Promise<ClientAnswer> {
  return call(`${base}/api/rest/v1/suppressions/${encodeURIComponent(address)}`, {
    method: 'DELETE',
    headers: auth(token),
  });
}

export function listSuppressions(base: string, query: string, token: string): Promise<ClientAnswer> {
  return call(`${base}/api/rest/v1/suppressions?${query}`, { headers: auth(token) });
}

/** A mailbox provider's one-click POST (RFC 8058): the link from the mail, no Authorization, the form body. */
export function oneClickUnsubscribe(base: string, path: string): Promise<ClientAnswer> {
  return call(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
    redirect: 'manual',
  });
}
