/**
 * The health report in Spring Boot Actuator shape: an overall status over the components. A disabled
 * dependency (e.g. Kafka with the event toggle off) is reported as such and does not count as DOWN.
 */
export type ComponentStatus = 'UP' | 'DOWN' | 'DISABLED';

export interface ComponentHealth {
  readonly status: ComponentStatus;
  readonly details?: { readonly latencyMs?: number; readonly error?: string };
}

export interface HealthReport {
  readonly status: 'UP' | 'DOWN';
  readonly components: Readonly<Record<string, ComponentHealth>>;
}

export const COMPONENTS = ['smtp', 'kafka', 'identityProvider'] as const;

export const healthReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'components'],
  properties: {
    status: { type: 'string', enum: ['UP', 'DOWN'] },
    components: {
      type: 'object',
      additionalProperties: false,
      required: [...COMPONENTS],
      properties: Object.fromEntries(
        COMPONENTS.map((name) => [
          name,
          {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: {
              status: { type: 'string', enum: ['UP', 'DOWN', 'DISABLED'] },
              details: {
                type: 'object',
                additionalProperties: false,
                description: 'Only for callers with HEALTH_DETAILS_ROLE.',
                properties: { latencyMs: { type: 'number' }, error: { type: 'string', description: 'A stable error code.' } },
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
