/**
 * Load for the fault suite: send-mail requests over node:http (keep-alive agents when asked), each with
 * its own X-B3-TraceId, every answer, or the lack of one, written into the ledger.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Agent } from 'node:http';
import type { Ledger, LedgerRequest } from './ledger';

const SEND_MAIL_PATH = '/api/rest/v1/sendmail';
const SEND_MAIL_BATCH_PATH = '/api/rest/v1/sendmail/batch';

export interface SendOptions {
  readonly agent?: Agent;
  /** The mail's text (default: a short one). */
  readonly text?: string;
  /** Give up waiting for the answer after this long (default 60 s). */
  readonly timeoutMs?: number;
  /**
   * One attachment's content, base64 (ASCII bytes): written from this one buffer into every request that
   * carries it, never copied per request, so many large requests cost the test process nothing more.
   */
  readonly attachmentBase64?: Buffer;
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
  const mail = JSON.stringify({
    to_address: to,
    subject: `fault ${entry.traceId.slice(0, 8)}`,
    body: options.text ?? 'a mail from the fault suite\n',
  });
  const { attachmentBase64 } = options;
  // With an attachment: the mail's JSON, then the content written straight from the shared buffer.
  const parts =
    attachmentBase64 === undefined
      ? [Buffer.from(mail)]
      : [
          Buffer.from(`${mail.slice(0, -1)},"attachments":[{"filename":"report.pdf","content":"`),
          attachmentBase64,
          Buffer.from('"}]}'),
        ];
  const length = parts.reduce((sum, part) => sum + part.length, 0);
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
          'Content-Length': length,
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
    for (const part of parts.slice(0, -1)) req.write(part);
    req.end(parts.at(-1));
  });
}

/** What one batch request got: its HTTP status, and one ledger entry per item (sharing its trace id). */
export interface TrackedBatch {
  readonly status?: number;
  readonly items: readonly LedgerRequest[];
}

/**
 * One batch request, one mail per recipient; each item is its own ledger entry, answered from the item's
 * result (or left without an answer when the batch got none). Never rejects.
 */
export function sendBatchTracked(
  ledger: Ledger,
  baseUrl: string,
  authorization: string,
  recipients: readonly string[],
  options: Omit<SendOptions, 'agent'> = {},
): Promise<TrackedBatch> {
  const traceId = randomBytes(16).toString('hex');
  const items = recipients.map((to) => ledger.begin(traceId, to));
  const body = JSON.stringify({
    messages: recipients.map((to, index) => ({
      to_address: to,
      subject: `fault batch ${traceId.slice(0, 8)} ${index}`,
      body: options.text ?? 'a mail from the fault suite\n',
    })),
  });
  const started = Date.now();
  return new Promise((resolve) => {
    let status: number | undefined;
    const done = (noAnswer?: string): void => {
      for (const item of items) {
        item.elapsedMs = Date.now() - started;
        if (!item.answer) item.noAnswer = noAnswer ?? 'no item result';
      }
      resolve({ ...(status === undefined ? {} : { status }), items });
    };
    const req = httpRequest(
      `${baseUrl}${SEND_MAIL_BATCH_PATH}`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: authorization,
          'X-B3-TraceId': traceId,
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          status = res.statusCode ?? 0;
          answerItems(items, status, Buffer.concat(chunks).toString('utf8'));
          done();
        });
        res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end(body);
  });
}

interface ItemResult {
  readonly index: number;
  readonly status: string;
  readonly code?: string;
  readonly messageId?: string;
}

/** Each item's answer from the batch's: its own result on a 200, the batch's error otherwise. */
function answerItems(items: readonly LedgerRequest[], status: number, text: string): void {
  const whole = parseAnswer(status, text);
  if (status !== 200) {
    for (const item of items) item.answer = whole;
    return;
  }
  let results: readonly ItemResult[] = [];
  try {
    results = (JSON.parse(text) as { results: ItemResult[] }).results;
  } catch {
    // not JSON: no item has an answer, which the ledger reports
  }
  for (const result of results) {
    const item = items[result.index];
    if (item === undefined) continue;
    item.answer = {
      status: result.status === 'sent' ? 200 : 0,
      item: result.status,
      ...(result.code === undefined ? {} : { code: result.code }),
      ...(result.messageId === undefined ? {} : { messageId: result.messageId }),
    };
  }
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
