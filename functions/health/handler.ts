/**
 * GET /health: the checks run in parallel and the report is reused for HEALTH_CACHE_SECONDS. Details
 * (latency, error code) only for a caller whose token holds HEALTH_DETAILS_ROLE; others see statuses.
 */
import type { Authenticator } from '../../shared/auth';
import type { IncomingRequest, Route } from '../../shared/http';
import type { Check } from './checks';
import { HEALTH_PATH } from './identity';
import { overall, type ComponentHealth, type HealthReport } from './report';

export interface HealthAccess {
  readonly authenticator: Authenticator;
  readonly detailsRole: string;
}

export function healthRoutes(checks: Readonly<Record<string, Check>>, access: HealthAccess, cacheMs: number): Route[] {
  let cached: { at: number; report: Promise<HealthReport> } | undefined;
  const report = (): Promise<HealthReport> => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      const entries = Object.entries(checks).map(async ([name, check]) => [name, await check()] as const);
      cached = { at: Date.now(), report: Promise.all(entries).then((results) => overall(Object.fromEntries(results))) };
    }
    return cached.report;
  };
  return [
    {
      method: 'GET',
      path: HEALTH_PATH,
      handle: async (request) => {
        const [full, detailed] = await Promise.all([report(), showsDetails(request, access)]);
        return { status: full.status === 'UP' ? 200 : 503, json: detailed ? full : statusesOnly(full) };
      },
    },
  ];
}

async function showsDetails(request: IncomingRequest, access: HealthAccess): Promise<boolean> {
  if (request.headers.authorization === undefined) return false;
  try {
    await access.authenticator.authorize(request.headers, access.detailsRole);
    return true;
  } catch {
    return false; // a bad token still gets the statuses: health is no place to refuse
  }
}

function statusesOnly(report: HealthReport): HealthReport {
  const components: Record<string, ComponentHealth> = {};
  for (const [name, component] of Object.entries(report.components)) components[name] = { status: component.status };
  return { status: report.status, components };
}
