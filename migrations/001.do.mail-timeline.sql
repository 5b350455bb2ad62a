-- Issue 29: each mail's timeline and the suppression list. The recorder writes them; send-mail only reads
-- suppressions. Addresses are stored as mail systems compare them: the local part as sent, the domain in
-- lower case. Applied by the migration tool (make migrate, dist/tools/migrate.js), never at a cold start.

CREATE TABLE mail (
  message_id     text PRIMARY KEY,
  email_sent_id  text UNIQUE,
  caller         text,
  recipients     text[] NOT NULL DEFAULT '{}',
  sent_at        timestamptz,
  recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_caller_sent ON mail (caller, sent_at);

-- One row per CloudEvent (source and id: at-least-once delivery writes it once). A bounce may arrive before
-- its email.sent: events need no mail row.
CREATE TABLE mail_event (
  source          text NOT NULL,
  event_id        text NOT NULL,
  message_id      text NOT NULL,
  type            text NOT NULL,
  recipient       text,
  classification  text,
  reason          text,
  status          text,
  occurred_at     timestamptz NOT NULL,
  data            jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event_id)
);
CREATE INDEX mail_event_message ON mail_event (message_id, occurred_at);

CREATE TABLE suppression (
  address     text PRIMARY KEY,
  reason      text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'manual')),
  event_id    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX suppression_reason_created ON suppression (reason, created_at);

-- One group role per function, granted only what it needs; each function's login role is made a member of
-- its group (docs/database.md). Roles belong to the cluster: created once, whichever database migrates first.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mailer_recorder') THEN
    CREATE ROLE mailer_recorder NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mailer_send_mail') THEN
    CREATE ROLE mailer_send_mail NOLOGIN;
  END IF;
END
$$;
GRANT SELECT, INSERT, UPDATE ON mail, mail_event, suppression TO mailer_recorder;
GRANT SELECT ON suppression TO mailer_send_mail;
