import { eventPublishMaxMs, eventSettleMs, timeBudgetProblems } from '../../../../functions/send-mail/budget';
import { emailSentEvent } from '../../../../functions/send-mail/send-mail';
import { toCloudEvent } from '../../../../shared/events/cloud-event';
import { eventTransport } from '../../../../shared/events/transport';
import { toSinkMessage } from '../../../../shared/events/http-publisher';
import { sendMailSettings } from '../../../../functions/send-mail/settings';
import { ConfigError, loadConfig } from '../../../../shared/config';
import { TIME_BUDGET_DEFAULTS } from '../../../fixtures/time-budget';

const SINK = 'http://kafka-sink-ingress.knative-eventing.svc.cluster.local/mailer/email-sent';

describe('eventTransport', () => {
  it.each([
    { name: 'nothing set', config: {}, transport: 'file' },
    { name: 'brokers only', config: { KAFKA_BROKERS: 'k:9092' }, transport: 'kafka' },
    { name: 'K_SINK only', config: { K_SINK: SINK }, transport: 'http' },
    { name: 'K_SINK and brokers', config: { K_SINK: SINK, KAFKA_BROKERS: 'k:9092' }, transport: 'http' },
    { name: 'kafka chosen beside K_SINK', config: { EVENT_TRANSPORT: 'kafka', K_SINK: SINK }, transport: 'kafka' },
    {
      name: 'file chosen beside brokers',
      config: { EVENT_TRANSPORT: 'file', KAFKA_BROKERS: 'k:9092' },
      transport: 'file',
    },
  ])('when $name, then the transport is $transport', ({ config, transport }) => {
    expect(eventTransport(config)).toBe(transport);
  });
});

describe('settings', () => {
  const outside = {
    ENVIRONMENT: 'staging',
    SMTP_URL: 'smtp://mail.example.com:25',
    MAIL_FROM: 'mailer@example.com',
    AUTH_HS256_SECRET: 'unit-secret-0123456789abcdefghijklmn',
    FEATURE_EMAIL_SENT_EVENT: 'true',
    DATABASE_URL: 'postgres://send_mail@db.example.com:5432/mailer',
  };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(sendMailSettings, env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems.map((problem) => problem.split(':')[0] ?? '');
    }
  };

  it.each<{ name: string; env: Record<string, string>; problems: string[] }>([
    { name: 'K_SINK set by a SinkBinding', env: { K_SINK: SINK }, problems: [] },
    { name: 'http without K_SINK', env: { EVENT_TRANSPORT: 'http' }, problems: ['K_SINK'] },
    { name: 'neither K_SINK nor brokers', env: {}, problems: ['KAFKA_BROKERS'] },
    { name: 'the local file outside local', env: { EVENT_TRANSPORT: 'file' }, problems: ['EVENT_TRANSPORT'] },
  ])('when outside local with $name, then the problems name $problems', ({ env, problems }) => {
    expect(problemsOf({ ...outside, ...env })).toEqual(problems);
  });

  it('when loaded locally, then the producer may create topics; outside local it may not', () => {
    expect(loadConfig(sendMailSettings, {}).KAFKA_ALLOW_AUTO_TOPIC_CREATION).toBe(true);
    expect(loadConfig(sendMailSettings, { ...outside, K_SINK: SINK }).KAFKA_ALLOW_AUTO_TOPIC_CREATION).toBe(false);
  });
});

describe('the time budget in http mode', () => {
  const http = { ...TIME_BUDGET_DEFAULTS, EVENT_HTTP_TIMEOUT_MS: 3000, K_SINK: SINK };

  it('when events go over http, then one publish takes at most EVENT_HTTP_TIMEOUT_MS, and the drain waits that plus its margin', () => {
    expect(eventPublishMaxMs(http)).toBe(3000);
    expect(eventSettleMs(http)).toBe(3500);
  });

  it('when the POST timeout does not fit in the request, then the problem names EVENT_HTTP_TIMEOUT_MS, not the Kafka one', () => {
    const problems = timeBudgetProblems({ ...http, EVENT_HTTP_TIMEOUT_MS: 20_000 }).join('\n');
    expect(problems).toContain('EVENT_HTTP_TIMEOUT_MS');
    expect(problems).not.toContain('KAFKA_SEND_TIMEOUT_MS');
  });
});

describe('toSinkMessage', () => {
  it('when an event is turned into a request, then it is binary mode with ce- headers, the data as body, and the trace headers with the sampling flag', () => {
    const event = toCloudEvent(
      emailSentEvent(
        {
          messageId: '<m@example.com>',
          toAddress: 'to@example.com',
          subject: 'hi',
          sentAt: '2026-11-25T00:00:00.000Z',
        },
        { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false, tracestate: 'v=1' },
        {
          EVENT_TYPE_PREFIX: 'com.example.mailer',
          EVENT_SOURCE: '/mailer/send-mail',
          PUBLIC_BASE_URL: 'https://m.example.com',
        },
      ),
    );

    const message = toSinkMessage(event, '4bf92f3577b34da6a3ce929d0e0e4736');

    expect(message.headers).toMatchObject({
      'ce-id': event.id,
      'ce-specversion': '1.0',
      'ce-source': '/mailer/send-mail',
      'ce-type': 'com.example.mailer.email.sent.v1',
      'ce-partitionkey': 'to@example.com',
      'content-type': 'application/json',
      traceparent: event.traceparent,
      tracestate: 'v=1',
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      b3: expect.stringMatching(/^4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-0$/),
    });
    expect(JSON.parse(message.body)).toEqual(event.data);
  });
});
