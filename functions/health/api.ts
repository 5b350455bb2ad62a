/** health's part of the OpenAPI spec: GET /health and its report schema. */
import { asSchema, json, schemaRef, traceHeader, type ApiDescription } from '../../openapi/parts';
import { HEALTH_PATH } from './identity';
import { healthReportSchema } from './report';

export const healthApi: ApiDescription = {
  tags: [{ name: 'operations' }],
  schemas: { HealthReport: asSchema(healthReportSchema) },
  paths: {
    [HEALTH_PATH]: {
      get: {
        tags: ['operations'],
        operationId: 'health',
        summary: 'Aggregate health of the dependencies',
        description:
          'Statuses for everyone; details (latency, error code) only with a token holding HEALTH_DETAILS_ROLE.',
        security: [{}, { bearerAuth: ['ops'] }],
        responses: {
          '200': { description: 'UP.', headers: traceHeader, content: json(schemaRef('HealthReport')) },
          '503': { description: 'DOWN.', headers: traceHeader, content: json(schemaRef('HealthReport')) },
        },
      },
    },
  },
};
