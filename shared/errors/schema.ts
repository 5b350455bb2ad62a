/** The error body's JSON Schema, published in the OpenAPI spec; the sink produces exactly this shape. */
export const errorBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timestamp', 'requestid', 'message', 'details'],
  properties: {
    timestamp: { type: 'string', format: 'date-time', description: 'When the error happened (RFC 3339).' },
    requestid: {
      type: 'string',
      description: 'The trace id of the request (X-B3-TraceId).',
      example: '463ac35c9f6413ad48485a3953bb6124',
    },
    message: { type: 'string', description: 'The stable error code.', example: 'email.validation.error' },
    details: {
      type: 'array',
      description: 'One entry per problem with an input field; empty otherwise.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'code'],
        properties: {
          field: { type: 'string', example: 'to_address' },
          code: { type: 'string', example: 'address.syntax' },
          position: {
            type: 'integer',
            minimum: 0,
            description:
              'Zero-based offset into the field where the problem starts (e.g. a JSON syntax error in the body); only where it helps.',
          },
        },
      },
    },
  },
} as const;
