/**
 * The Pushgateway never forgets a group. Each pod pushes its own group (job = function, instance =
 * revision:pod) when it stops, so its counters stay its own and add up across pods; once Prometheus has
 * scraped a group for a while, pruning deletes it, so scaled-down revisions do not leave series forever.
 * Run by `node dist/tools/prune-pushgateway.js` (a CronJob in the cluster).
 */

export interface PushedGroup {
  readonly labels: Readonly<Record<string, string>>;
  /** When the group was last pushed, in seconds since the epoch. */
  readonly pushedAt: number;
}

interface GatewayGroup {
  readonly labels?: Record<string, string>;
  readonly push_time_seconds?: { readonly metrics?: readonly { readonly value?: string }[] };
}

/** Every group the Pushgateway holds (its JSON API). */
export async function pushedGroups(url: string, timeoutMs: number): Promise<PushedGroup[]> {
  const response = await fetch(`${url.replace(/\/$/, '')}/api/v1/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`the Pushgateway answered ${response.status}`);
  const { data = [] } = (await response.json()) as { data?: GatewayGroup[] };
  return data.map((group) => ({
    labels: group.labels ?? {},
    pushedAt: Number(group.push_time_seconds?.metrics?.[0]?.value ?? 0),
  }));
}

/** Deletes the groups of `jobs` last pushed before `before`; returns them. */
export async function prunePushgateway(
  url: string,
  options: { readonly before: Date; readonly jobs: readonly string[]; readonly timeoutMs: number },
): Promise<PushedGroup[]> {
  const cutoff = options.before.getTime() / 1000;
  const stale = (await pushedGroups(url, options.timeoutMs)).filter(
    (group) => options.jobs.includes(group.labels.job ?? '') && group.pushedAt < cutoff,
  );
  for (const group of stale) {
    const { job = '', ...rest } = group.labels;
    const path = [
      `job/${encodeURIComponent(job)}`,
      ...Object.entries(rest).map(([name, value]) => `${name}/${encodeURIComponent(value)}`),
    ];
    const response = await fetch(`${url.replace(/\/$/, '')}/metrics/${path.join('/')}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) throw new Error(`the Pushgateway answered ${response.status} to deleting ${path.join('/')}`);
  }
  return stale;
}
