/**
 * The health report in Spring Boot Actuator shape: an overall status over the components. A disabled
 * dependency (Kafka with the event toggle off; locally, SMTP or Kafka replaced by a file) is reported as
 * such and does not count as DOWN.
 */
export type ComponentStatus = 'UP' | 'DOWN' | 'DISABLED';

export interface ComponentHealth {
  readonly status: ComponentStatus;
  readonly details?: { readonly latencyMs?: number; readonly error?: string; readonly reason?: string };
}

export interface HealthReport {
  readonly status: 'UP' | 'DOWN';
  readonly components: Readonly<Record<string, ComponentHealth>>;
}

/**
 * The one list of components: each is in every report, or only when configured (idempotencyStore: when
 * send-mail keeps its keys in Redis; suppressionList: when send-mail's SUPPRESSION_CHECK is required).
 * checks.ts has one check per name.
 */
export const COMPONENTS = {
  smtp: 'always',
  kafka: 'always',
  identityProvider: 'always',
  idempotencyStore: 'when configured',
  suppressionList: 'when configured',
  rateLimitStore: 'when configured',
} as const;
export type ComponentName = keyof typeof COMPONENTS;

const ALWAYS = (Object.keys(COMPONENTS) as ComponentName[]).filter((name) => COMPONENTS[name] === 'always');

export const healthReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'components'],
  properties: {
    status: { type: 'string', enum: ['UP', 'DOWN'] },
    components: {
      type: 'object',
      additionalProperties: false,
      required: ALWAYS,
      properties: Object.fromEntries(
        Object.keys(COMPONENTS).map((name) => [
          name,
          {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: {
              status: {
                type: 'string',
                enum: ['UP', 'DOWN', 'DISABLED'],
                description:
                  'DISABLED: not used by this deployment (e.g. the event toggle is off), or replaced by a local file; never counted as DOWN.',
              },
              details: {
                type: 'object',
                additionalProperties: false,
                description: 'Only for callers with HEALTH_DETAILS_ROLE.',
                properties: {
                  latencyMs: { type: 'number' },
                  error: { type: 'string', description: 'A stable error code.' },
                  reason: {
                    type: 'string',
                    enum: ['mail.outbox', 'events.file', 'events.sink'],
                    description:
                      "Why a component is DISABLED: mails go to OUTBOX_DIR, events to EVENT_OUTBOX_FILE (local only), or events go over HTTP to the Knative sink (EVENT_TRANSPORT=http; the sink's readiness is Knative's).",
                  },
                },
              },
            },
          },
        ]),
      ),
    },
  },
} as const;

export function overall(components: Readonly<Record<string, ComponentHealth>>): HealthReport {
  const down = Object.values(components).some((component) => component.status === 'DOWN');
  return { status: down ? 'DOWN' : 'UP', components };
}
