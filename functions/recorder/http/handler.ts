/**
 * The adapter under our launcher: Knative's POST of one CloudEvent (binary mode, as a KafkaSource or a
 * Trigger delivers; structured mode too), decoded by the cloudevents SDK, then the use case. 204 once the
 * rows are committed. (Under the stock framework CLI, framework-entry.ts registers the same use case with
 * `functions.cloudEvent`, which decodes the event itself.)
 */
import { HTTP } from 'cloudevents';
import type { Route } from '../../../shared/http';
import { recorderError } from '../errors';
import type { IncomingEvent } from '../events';
import type { RecordResult } from '../recorder';

/** Where Knative delivers: the Service's root, as a Trigger's or KafkaSource's sink `ref` resolves to. */
export const RECORDER_PATH = '/';

export function recorderRoutes(receive: (event: IncomingEvent) => Promise<RecordResult>): Route[] {
  return [
    {
      method: 'POST',
      path: RECORDER_PATH,
      handle: async (request) => {
        const event = decode(request.headers, request.body);
        const { log } = await receive(event);
        request.annotate?.(log);
        return { status: 204 };
      },
    },
  ];
}

function decode(headers: Record<string, unknown>, body: Buffer): IncomingEvent {
  try {
    const decoded = HTTP.toEvent({ headers: headers as never, body: body.toString('utf8') });
    if (Array.isArray(decoded)) throw new TypeError('a batch');
    return decoded;
  } catch (err) {
    throw recorderError('recorder.event.malformed', {
      details: [{ field: 'body', code: 'cloudevent.invalid' }],
      cause: err,
    });
  }
}
