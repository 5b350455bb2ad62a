/**
 * The time budget every function keeps: the shares of its outgoing calls must nest inside
 * REQUEST_TIMEOUT_SECONDS, and what it still needs after the drain aborts its requests (its settle time)
 * must fit in SHUTDOWN_TIMEOUT_SECONDS. Each function names its own shares (e.g. functions/send-mail/budget.ts).
 * Beside it, the body budget: the largest body a function reads must fit MAX_INFLIGHT_BODY_BYTES.
 */

/** One outgoing call's share of a request: the setting that sizes it, and its longest time. */
export interface BudgetShare {
  readonly setting: string;
  readonly ms: number;
  /** How the time follows from the setting, when not just its value, e.g. `with its backstop`. */
  readonly note?: string;
}

export function requestBudgetProblems(
  config: Readonly<{ REQUEST_TIMEOUT_SECONDS: number }>,
  shares: readonly BudgetShare[],
): string[] {
  const needed = shares.reduce((sum, share) => sum + share.ms, 0);
  if (needed <= config.REQUEST_TIMEOUT_SECONDS * 1000) return [];
  const parts = shares
    .map((share) => `${share.setting} (${share.ms} ms${share.note ? ` ${share.note}` : ''})`)
    .join(' + ');
  return [
    `REQUEST_TIMEOUT_SECONDS: ${config.REQUEST_TIMEOUT_SECONDS} s cannot hold ${parts} = ${needed} ms; raise it or lower those`,
  ];
}

/** `settleMs` is what the function needs after the drain aborts its requests: `what`, sized by `setting`. */
export function settleProblems(
  config: Readonly<{ SHUTDOWN_TIMEOUT_SECONDS: number }>,
  settle: { readonly ms: number; readonly what: string; readonly setting: string },
): string[] {
  if (settle.ms <= 0 || settle.ms < config.SHUTDOWN_TIMEOUT_SECONDS * 1000) return [];
  return [
    `SHUTDOWN_TIMEOUT_SECONDS: ${config.SHUTDOWN_TIMEOUT_SECONDS} s leaves no room to settle ${settle.what} (${settle.ms} ms from ${settle.setting}); raise it or lower ${settle.setting}`,
  ];
}

/**
 * The largest body a function reads (`largest.bytes`, sized by `largest.from`) must fit the instance's
 * in-flight body budget, or no such body could ever be admitted.
 */
export function inFlightBodyProblems(
  config: Readonly<{ MAX_INFLIGHT_BODY_BYTES: number }>,
  largest: { readonly bytes: number; readonly from: string },
): string[] {
  if (config.MAX_INFLIGHT_BODY_BYTES >= largest.bytes) return [];
  return [
    `MAX_INFLIGHT_BODY_BYTES: ${config.MAX_INFLIGHT_BODY_BYTES} is below ${largest.from} (${largest.bytes} bytes): no body of the largest size could ever be read; raise it`,
  ];
}
