/**
 * The suppression list by hand, for SUPPRESSION_ADMIN_ROLE: look one address up, list with filters and
 * paging, add one (reason manual), remove one (reactivate). Each change is an email.suppression.changed
 * event, published (or dead-lettered) before the answer. Addresses are keyed in their one form
 * (shared/addresses), as the recorder writes them and send-mail reads them. A suppression has a scope
 * (every mail, or one caller's broadcast stream): an address has at most one per scope, and the address's
 * resource names one scope with the `stream` and `caller` query parameters (none: every mail).
 */
import { randomUUID } from 'node:crypto';
import { checkAddress } from '../../shared/addresses';
import {
  SUPPRESSION_CHANGED_SCHEMA_FILE,
  SUPPRESSION_REASONS,
  suppressionChangedEventType,
  type SuppressionChangedData,
  type SuppressionReason,
  type SuppressionScope,
} from '../../shared/contracts/email-suppression';
import type { DatabasePool } from '../../shared/db';
import type { FieldProblem } from '../../shared/errors';
import { publicBaseUrl, type EventPublisher, type OutgoingEvent } from '../../shared/events';
import { traceparentFor, type TraceContext } from '../../shared/tracing';
import { recordsError } from './errors';
import type { RecordsConfig } from './settings';
import { fromStore } from './store';

export interface Suppression {
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly scope: SuppressionScope;
  readonly createdAt: string;
  /** The event that caused it: the bounce or complaint; absent for one added by hand. */
  readonly eventId?: string;
}

export interface SuppressionPage {
  readonly items: readonly Suppression[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly nextCursor?: string;
}

export interface SuppressionPorts {
  readonly db: DatabasePool;
  readonly events: EventPublisher;
}

export type SuppressionEventConfig = Pick<RecordsConfig, 'EVENT_TYPE_PREFIX' | 'EVENT_SOURCE'> &
  Parameters<typeof publicBaseUrl>[0];

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

interface Row {
  id: string;
  address: string;
  reason: SuppressionReason;
  caller: string | null;
  stream: 'broadcast' | null;
  event_id: string | null;
  created_at: Date;
  /** The exact time as PostgreSQL writes it (microseconds): the cursor's, which a Date would round. */
  created_text: string;
}

const COLUMNS =
  'id::text AS id, address, reason, caller, stream, event_id, created_at, created_at::text AS created_text';

/** Every mail: the scope of a bounce, a complaint and a suppression by hand. */
export const EVERY_MAIL: SuppressionScope = { stream: 'all' };

/** The scope's two columns: NULL, NULL for every mail. */
const scopeColumns = (scope: SuppressionScope): [string | null, string | null] =>
  scope.stream === 'all' ? [null, null] : [scope.caller, scope.stream];

/** `IS NOT DISTINCT FROM`: NULL matches NULL, as the scope's unique index counts it. */
const SCOPE_MATCH = 'caller IS NOT DISTINCT FROM $2 AND stream IS NOT DISTINCT FROM $3';

/** The address in its one form; 400 suppression.address.invalid when it is no mail address. */
export function addressOf(param: string): string {
  const checked = checkAddress(param);
  if (!checked.ok)
    throw recordsError('suppression.address.invalid', { details: [{ field: 'address', code: checked.problem }] });
  return checked.address;
}

/**
 * The scope the address's resource names: no `stream` (or `all`) is every mail; `stream=broadcast` needs the
 * `caller` whose stream it is. 400 suppression.query.invalid names what is wrong.
 */
export function scopeOf(query: URLSearchParams | undefined): SuppressionScope {
  const stream = query?.get('stream') ?? undefined;
  const caller = query?.get('caller') ?? undefined;
  const problems: FieldProblem[] = [];
  if (stream !== undefined && stream !== 'all' && stream !== 'broadcast')
    problems.push({ field: 'stream', code: 'query.enum' });
  if (stream === 'broadcast' && !caller) problems.push({ field: 'caller', code: 'query.required' });
  if (stream !== 'broadcast' && caller !== undefined) problems.push({ field: 'caller', code: 'query.unexpected' });
  if (problems.length > 0) throw recordsError('suppression.query.invalid', { details: problems });
  return stream === 'broadcast' && caller ? { stream, caller } : EVERY_MAIL;
}

export async function lookUp(
  db: DatabasePool,
  address: string,
  scope: SuppressionScope = EVERY_MAIL,
): Promise<Suppression> {
  const { rows } = await fromStore(() =>
    db.query<Row>(`SELECT ${COLUMNS} FROM suppression WHERE address = $1 AND ${SCOPE_MATCH}`, [
      address,
      ...scopeColumns(scope),
    ]),
  );
  const row = rows[0];
  if (!row) throw recordsError('suppression.notfound');
  return toSuppression(row);
}

export interface ListQuery {
  readonly reason?: SuppressionReason;
  /** Every scope of one address. */
  readonly address?: string;
  readonly since?: Date;
  readonly limit: number;
  readonly after?: { readonly createdAt: string; readonly id: string };
}

/**
 * The list's query parameters: reason, address, since (RFC 3339), limit (1–200), cursor; every problem named
 * at once.
 */
export function listQueryOf(query: URLSearchParams): ListQuery {
  const problems: FieldProblem[] = [];
  const addressText = query.get('address') ?? undefined;
  const checked = addressText === undefined ? undefined : checkAddress(addressText);
  if (checked && !checked.ok) problems.push({ field: 'address', code: checked.problem });
  const reason = query.get('reason') ?? undefined;
  if (reason !== undefined && !(SUPPRESSION_REASONS as readonly string[]).includes(reason))
    problems.push({ field: 'reason', code: 'query.enum' });
  const sinceText = query.get('since') ?? undefined;
  const since = sinceText === undefined ? undefined : new Date(sinceText);
  if (sinceText !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(sinceText) || Number.isNaN(since?.getTime())))
    problems.push({ field: 'since', code: 'query.date-time' });
  const limitText = query.get('limit') ?? undefined;
  const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '1') || limit < 1 || limit > MAX_PAGE)
    problems.push({ field: 'limit', code: 'query.range' });
  const cursor = query.get('cursor') ?? undefined;
  const after = cursor === undefined ? undefined : cursorOf(cursor);
  if (cursor !== undefined && after === undefined) problems.push({ field: 'cursor', code: 'query.cursor' });
  if (problems.length > 0) throw recordsError('suppression.query.invalid', { details: problems });
  return {
    limit,
    ...(checked?.ok ? { address: checked.address } : {}),
    ...(reason === undefined ? {} : { reason: reason as SuppressionReason }),
    ...(since === undefined ? {} : { since }),
    ...(after === undefined ? {} : { after }),
  };
}

/** Newest first; the cursor is the last item's (created_at, id), so pages never skip or repeat a row. */
export async function list(db: DatabasePool, query: ListQuery): Promise<SuppressionPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.reason) where.push(`reason = ${param(query.reason)}`);
  if (query.address) where.push(`address = ${param(query.address)}`);
  if (query.since) where.push(`created_at >= ${param(query.since.toISOString())}`);
  if (query.after)
    where.push(`(created_at, id) < (${param(query.after.createdAt)}::timestamptz, ${param(query.after.id)}::bigint)`);
  const sql = `SELECT ${COLUMNS} FROM suppression ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit + 1)}`;
  const { rows } = await fromStore(() => db.query<Row>(sql, params));
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSuppression),
    ...(rows.length > query.limit && last ? { nextCursor: cursorFor(last) } : {}),
  };
}

/** Adds the address by hand, in one scope: `created` false (and no event) when it is suppressed there already. */
export async function add(
  ports: SuppressionPorts,
  address: string,
  scope: SuppressionScope,
  changedBy: string,
  trace: TraceContext,
  config: SuppressionEventConfig,
): Promise<{ readonly created: boolean; readonly suppression: Suppression; readonly eventId?: string }> {
  const inserted = await fromStore(() =>
    ports.db.query<Row>(
      `INSERT INTO suppression (address, caller, stream, reason) VALUES ($1, $2, $3, 'manual')
         ON CONFLICT (address, caller, stream) DO NOTHING RETURNING ${COLUMNS}`,
      [address, ...scopeColumns(scope)],
    ),
  );
  const row = inserted.rows[0];
  if (!row) return { created: false, suppression: await lookUp(ports.db, address, scope) };
  const event = changedEvent(
    { address, change: 'added', reason: 'manual', scope, changedBy, changedAt: row.created_at.toISOString() },
    trace,
    config,
  );
  await ports.events.publish(event, trace.traceId);
  return { created: true, suppression: toSuppression(row), eventId: event.attributes.id };
}

/**
 * Removes the address's suppression in one scope (reactivates it there): 404 suppression.notfound when it
 * was not suppressed in that scope. Other scopes stay.
 */
export async function remove(
  ports: SuppressionPorts,
  address: string,
  scope: SuppressionScope,
  changedBy: string,
  trace: TraceContext,
  config: SuppressionEventConfig,
): Promise<{ readonly eventId: string }> {
  const deleted = await fromStore(() =>
    ports.db.query<Row>(`DELETE FROM suppression WHERE address = $1 AND ${SCOPE_MATCH} RETURNING ${COLUMNS}`, [
      address,
      ...scopeColumns(scope),
    ]),
  );
  const row = deleted.rows[0];
  if (!row) throw recordsError('suppression.notfound');
  const event = changedEvent(
    { address, change: 'removed', reason: row.reason, scope, changedBy, changedAt: new Date().toISOString() },
    trace,
    config,
  );
  await ports.events.publish(event, trace.traceId);
  return { eventId: event.attributes.id };
}

function changedEvent(
  data: SuppressionChangedData,
  trace: TraceContext,
  config: SuppressionEventConfig,
): OutgoingEvent<SuppressionChangedData> {
  return {
    name: 'email.suppression.changed',
    attributes: {
      specversion: '1.0',
      id: randomUUID(),
      type: suppressionChangedEventType(config.EVENT_TYPE_PREFIX),
      source: config.EVENT_SOURCE,
      time: data.changedAt,
      datacontenttype: 'application/json',
      dataschema: `${publicBaseUrl(config)}/schemas/${SUPPRESSION_CHANGED_SCHEMA_FILE}`,
      subject: data.address,
      partitionkey: data.address,
      traceparent: traceparentFor(trace.traceId, undefined, trace.sampled),
      ...(trace.tracestate === undefined ? {} : { tracestate: trace.tracestate }),
      data,
    },
  };
}

export function scopeOfRow(row: {
  readonly caller: string | null;
  readonly stream: 'broadcast' | null;
}): SuppressionScope {
  return row.stream === null || row.caller === null ? EVERY_MAIL : { stream: row.stream, caller: row.caller };
}

function toSuppression(row: Row): Suppression {
  return {
    address: row.address,
    reason: row.reason,
    scope: scopeOfRow(row),
    createdAt: row.created_at.toISOString(),
    ...(row.event_id === null ? {} : { eventId: row.event_id }),
  };
}

function cursorFor(row: Row): string {
  return Buffer.from(JSON.stringify([row.created_text, row.id])).toString('base64url');
}

function cursorOf(cursor: string): ListQuery['after'] | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
    const [createdAt, id] = decoded as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !/^\d{1,19}$/.test(id)) return undefined;
    // PostgreSQL's own text form (2026-12-07 10:00:00.123456+00): anything else is no cursor of ours.
    return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(createdAt)
      ? { createdAt, id }
      : undefined;
  } catch {
    return undefined;
  }
}
