/**
 * feedback's settings: the size of a report, its caller's role, the topic and source of its events,
 * composed with the common settings, the VERP fragment (shared with send-mail), the event transport and
 * the auth fragment. Its events are its purpose: no toggle, they are always on.
 */
import { str } from 'envalid';
import { authSettings } from '../../shared/auth';
import {
  composeSettings,
  defineSettings,
  inFlightBodyProblems,
  positiveInt,
  uriReference,
  type Config,
} from '../../shared/config';
import { eventPeerSettings, eventPublishingSettings } from '../../shared/events';
import { verpSettings } from '../../shared/verp';
import { feedbackBudgetProblems } from './budget';

export const feedbackSpecs = {
  FEEDBACK_MAX_BYTES: positiveInt({
    default: 2 * 1024 * 1024,
    desc: 'Largest report (one inbound mail) POSTed to /api/rest/v1/feedback/reports; larger ones get 413 before they are read. Replaces MAX_BODY_BYTES for this function.',
  }),
  FEEDBACK_REQUIRED_ROLE: str({
    default: 'feedback',
    desc: "Role the inbound MTA's token needs in AUTH_ROLES_CLAIM to POST reports (give the MTA a client of its own).",
  }),
  KAFKA_TOPIC: str({
    default: 'mailer.email-feedback.v1',
    desc: 'Topic of the email.bounced, email.delayed and email.complained events (kafka mode), keyed by recipient.',
  }),
  EVENT_SOURCE: uriReference({ default: '/mailer/feedback', desc: 'CloudEvent source (a URI reference).' }),
};

const ownSettings = defineSettings({ owner: 'functions/feedback', specs: feedbackSpecs });

export const feedbackSettings = composeSettings(
  'feedback',
  [ownSettings, verpSettings, eventPeerSettings, eventPublishingSettings, authSettings],
  [
    feedbackBudgetProblems,
    (config) => inFlightBodyProblems(config, { bytes: config.FEEDBACK_MAX_BYTES, from: 'FEEDBACK_MAX_BYTES' }),
  ],
);

export type FeedbackConfig = Config<(typeof feedbackSettings)['specs']>;
