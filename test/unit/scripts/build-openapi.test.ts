import SwaggerParser from '@apidevtools/swagger-parser';
import type { ResponseObject } from 'openapi3-ts/oas31';
import { sendMailRequestSchema } from '../../../functions/send-mail/http/request-schema';
import { SEND_MAIL_PATH } from '../../../functions/send-mail/identity';
import { buildSpec } from '../../../scripts/build-openapi';
import { errorBodySchema } from '../../../shared/errors';

describe('buildSpec', () => {
  it('when validated by swagger-parser, then the spec is valid OpenAPI 3.1', async () => {
    const api = (await SwaggerParser.validate(structuredClone(await buildSpec()) as never)) as { openapi?: string };
    expect(api.openapi).toBe('3.1.0');
  });

  it('when built, then its request and error schemas are the ones the runtime uses', async () => {
    const spec = await buildSpec();
    expect(spec.components?.schemas?.SendMailRequest).toEqual(sendMailRequestSchema);
    expect(spec.components?.schemas?.ErrorBody).toEqual(errorBodySchema);
  });

  it('when built, then sendmail documents every status it answers with, and its challenge and retry headers', async () => {
    const responses: Record<string, ResponseObject> =
      (await buildSpec()).paths?.[SEND_MAIL_PATH]?.post?.responses ?? {};
    expect(Object.keys(responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '405',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
      '502',
      '503',
    ]);
    expect(responses['429']?.headers).toHaveProperty('Retry-After');
    expect(responses['429']?.headers).toHaveProperty('RateLimit');
    expect(responses['200']?.headers).toHaveProperty('RateLimit-Policy');
    expect(responses['401']?.headers).toHaveProperty('WWW-Authenticate');
    expect(responses['403']?.headers).toHaveProperty('WWW-Authenticate');
    expect(responses['503']?.headers).toHaveProperty('Retry-After');
    expect(responses['409']?.headers).toHaveProperty('Retry-After');
    expect(responses['200']?.headers).toHaveProperty('Idempotent-Replayed');
  });

  it('when built, then sendmail takes an optional Idempotency-Key of 1–255 characters', async () => {
    const parameters = (await buildSpec()).paths?.[SEND_MAIL_PATH]?.post?.parameters ?? [];
    expect(parameters).toEqual([
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: expect.objectContaining({ minLength: 1, maxLength: 255 }) as unknown,
      }),
    ]);
  });
});

describe('buildSpec paths', () => {
  it('when built, then it describes the API and its documents, not Swagger UI assets', async () => {
    const paths = Object.keys((await buildSpec()).paths ?? {});

    expect(paths.filter((path) => path.startsWith('/swagger-ui'))).toEqual(['/swagger-ui/']);
    expect(paths.filter((path) => /\.(css|js|png)$/.test(path))).toEqual([]);
  });

  it('when built, then the error body documents the optional position of a problem', () => {
    expect(errorBodySchema.properties.details.items.properties).toHaveProperty('position');
    expect(errorBodySchema.properties.details.items.required).toEqual(['field', 'code']);
  });
});
