/**
 * Load for the fault suite: send-mail requests over node:http (keep-alive agents when asked), each with
 * its own X-B3-TraceId, every answer, or the lack of one, written into the ledger.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Agent } from 'node:http';
import type { Ledger, LedgerRequest } from './ledger';

const SEND_MAIL_PATH = '/api/rest/v1/sendmail';

export interface SendOptions {
  readonly agent?: Agent;
  /** The mail's text (default: a short one). */
  readonly text?: string;
  /** Give up waiting for the answer after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/** One request; resolves once it has an answer or surely will not get one. Never rejects. */
export function sendTracked(
  ledger: Ledger,
  baseUrl: string,
  authorization: string,
  to: string,
  options: SendOptions = {},
): Promise<LedgerRequest> {
  const entry = ledger.begin(randomBytes(16).toString('hex'), to);
  const body = JSON.stringify({
    to_address: to,
    subject: `fault ${entry.traceId.slice(0, 8)}`,
    body: options.text ?? 'a mail from the fault suite\n',
  });
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (): void => {
      entry.elapsedMs = Date.now() - started;
      resolve(entry);
    };
    const req = httpRequest(
      `${baseUrl}${SEND_MAIL_PATH}`,
      {
        method: 'POST',
        agent: options.agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: authorization,
          'X-B3-TraceId': entry.traceId,
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          entry.answer = parseAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
          done();
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          entry.noAnswer = err.code ?? err.message;
          done();
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!entry.answer) entry.noAnswer = err.code ?? err.message;
      done();
    });
    req.end(body);
  });
}

function parseAnswer(status: number, text: string): LedgerRequest['answer'] {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the status alone
  }
  if (status === 200) return { status, messageId: typeof body.messageId === 'string' ? body.messageId : undefined };
  return { status, code: typeof body.message === 'string' ? body.message : undefined };
}

export interface Clients {
  /** Stops sending new requests and resolves when every client's last request settled. */
  stop(): Promise<void>;
  /** Requests sent so far. */
  sent(): number;
}

/**
 * `count` clients that each send one request after another until stopped. A client whose request got
 * no answer (the server closed or refused) pauses briefly instead of spinning.
 */
export function startClients(count: number, send: (client: number, n: number) => Promise<LedgerRequest>): Clients {
  let running = true;
  let sent = 0;
  const loops = Array.from({ length: count }, async (_, client) => {
    for (let n = 0; running; n += 1) {
      sent += 1;
      const entry = await send(client, n);
      if (!entry.answer) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    sent: () => sent,
  };
}
