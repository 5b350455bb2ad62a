-- Issue 29: the records function's API (each mail's timeline, the suppression list by hand) and the retention
-- purge get roles of their own. Indexes for the purge, which deletes by time.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mailer_records') THEN
    CREATE ROLE mailer_records NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mailer_purge') THEN
    CREATE ROLE mailer_purge NOLOGIN;
  END IF;
END
$$;
-- Reads timelines; adds and removes suppressions by hand (never edits one in place).
GRANT SELECT ON mail, mail_event TO mailer_records;
GRANT SELECT, INSERT, DELETE ON suppression TO mailer_records;
-- Deletes what is older than TIMELINE_RETENTION_DAYS; never touches suppressions.
GRANT SELECT, DELETE ON mail, mail_event TO mailer_purge;

CREATE INDEX mail_event_occurred ON mail_event (occurred_at);
CREATE INDEX mail_sent ON mail (sent_at);
