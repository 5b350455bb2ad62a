/** The HTTP adapter of records: auth and roles, path and query → the domain → the answer. */
import { callerOf, holdsRole, type Authenticator } from '../../../shared/auth';
import type { DatabasePool } from '../../../shared/db';
import type { EventPublisher } from '../../../shared/events';
import type { IncomingRequest, Route } from '../../../shared/http';
import { currentTrace, newTrace } from '../../../shared/tracing';
import { EMAIL_PATH, SUPPRESSIONS_PATH, SUPPRESSION_PATH } from '../identity';
import { add, addressOf, list, listQueryOf, lookUp, remove, type SuppressionEventConfig } from '../suppressions';
import { messageIdOf, readTimeline } from '../timeline';

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
        return { status: 200, json: await lookUp(ports.db, addressOf(param(request, 'address'))) };
      },
    },
    {
      method: 'PUT',
      path: SUPPRESSION_PATH,
      handle: async (request) => {
        const claims = await admin(request);
        const address = addressOf(param(request, 'address'));
        const trace = currentTrace() ?? newTrace();
        const added = await add(ports, address, callerOf(claims), trace, config);
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
        const removed = await remove(ports, address, callerOf(claims), currentTrace() ?? newTrace(), config);
        request.annotate?.({ suppression: { change: 'removed' } });
        return { status: 200, json: { address, changeEventId: removed.eventId } };
      },
    },
  ];
}
