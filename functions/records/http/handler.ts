/**
 * The HTTP adapter of records: auth and roles, path and query → the domain → the answer. The unsubscribe
 * routes alone carry no JWT (RFC 8058): their token is their authentication.
 */
import { callerOf, holdsRole, type Authenticator } from '../../../shared/auth';
import type { DatabasePool } from '../../../shared/db';
import type { EventPublisher } from '../../../shared/events';
import type { IncomingRequest, Route } from '../../../shared/http';
import { currentTrace, newTrace } from '../../../shared/tracing';
import type { UnsubscribeTokens } from '../../../shared/unsubscribe';
import { EMAIL_PATH, SUPPRESSIONS_PATH, SUPPRESSION_PATH, UNSUBSCRIBE_PATH } from '../identity';
import {
  add,
  addressOf,
  list,
  listQueryOf,
  lookUp,
  remove,
  scopeOf,
  type SuppressionEventConfig,
} from '../suppressions';
import { messageIdOf, readTimeline } from '../timeline';
import { checkOneClick, confirmationPage, PAGE_HEADERS, targetOf, unsubscribe } from '../unsubscribe';

export interface RecordsAccess {
  readonly authenticator: Authenticator;
  readonly rolesClaim: string;
  readonly timelineReadRole: string;
  readonly timelineReadAllRole?: string;
  readonly suppressionAdminRole: string;
}

export interface RecordsPorts {
  readonly db: DatabasePool;
  readonly events: EventPublisher;
  readonly tokens?: UnsubscribeTokens;
  readonly countUnsubscribe?: (outcome: 'added' | 'unchanged') => void;
}

const param = (request: IncomingRequest, name: string): string => request.params?.[name] ?? '';

export function recordsRoutes(ports: RecordsPorts, access: RecordsAccess, config: SuppressionEventConfig): Route[] {
  const admin = (request: IncomingRequest) =>
    access.authenticator.authorize(request.headers, access.suppressionAdminRole);
  return [
    {
      method: 'GET',
      path: EMAIL_PATH,
      handle: async (request) => {
        const readAll = access.timelineReadAllRole;
        const claims = await access.authenticator.authorize(
          request.headers,
          readAll === undefined ? access.timelineReadRole : [access.timelineReadRole, readAll],
        );
        const viewer = {
          caller: callerOf(claims),
          readsAll: readAll !== undefined && holdsRole(claims, access.rolesClaim, readAll),
        };
        return { status: 200, json: await readTimeline(ports.db, messageIdOf(param(request, 'messageId')), viewer) };
      },
    },
    {
      method: 'GET',
      path: SUPPRESSIONS_PATH,
      handle: async (request) => {
        await admin(request);
        return { status: 200, json: await list(ports.db, listQueryOf(request.query ?? new URLSearchParams())) };
      },
    },
    {
      method: 'GET',
      path: SUPPRESSION_PATH,
      handle: async (request) => {
        await admin(request);
        return {
          status: 200,
          json: await lookUp(ports.db, addressOf(param(request, 'address')), scopeOf(request.query)),
        };
      },
    },
    {
      method: 'PUT',
      path: SUPPRESSION_PATH,
      handle: async (request) => {
        const claims = await admin(request);
        const address = addressOf(param(request, 'address'));
        const trace = currentTrace() ?? newTrace();
        const added = await add(ports, address, scopeOf(request.query), callerOf(claims), trace, config);
        request.annotate?.({ suppression: { change: added.created ? 'added' : 'unchanged' } });
        return {
          status: added.created ? 201 : 200,
          json: { ...added.suppression, ...(added.eventId ? { changeEventId: added.eventId } : {}) },
        };
      },
    },
    {
      method: 'DELETE',
      path: SUPPRESSION_PATH,
      handle: async (request) => {
        const claims = await admin(request);
        const address = addressOf(param(request, 'address'));
        const scope = scopeOf(request.query);
        const removed = await remove(ports, address, scope, callerOf(claims), currentTrace() ?? newTrace(), config);
        request.annotate?.({ suppression: { change: 'removed' } });
        return { status: 200, json: { address, scope, changeEventId: removed.eventId } };
      },
    },
    {
      method: 'POST',
      path: UNSUBSCRIBE_PATH,
      secretPath: true,
      handle: async (request) => {
        const target = await targetOf(ports.tokens, param(request, 'token'));
        await checkOneClick(request.headers['content-type'], request.body);
        const done = await unsubscribe(ports, target, currentTrace() ?? newTrace(), config);
        ports.countUnsubscribe?.(done.changed ? 'added' : 'unchanged');
        // The mail's id only: the token and the address stay out of the log.
        request.annotate?.({
          message_id: target.messageId,
          unsubscribe: { change: done.changed ? 'added' : 'unchanged' },
        });
        return { status: 200, json: { unsubscribed: true } };
      },
    },
    {
      method: 'GET',
      path: UNSUBSCRIBE_PATH,
      secretPath: true,
      handle: async (request) => {
        const target = await targetOf(ports.tokens, param(request, 'token'));
        return {
          status: 200,
          headers: PAGE_HEADERS,
          raw: { data: confirmationPage(target), contentType: 'text/html; charset=utf-8' },
        };
      },
    },
  ];
}
