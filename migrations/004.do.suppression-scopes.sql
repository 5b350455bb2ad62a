-- Issue 31: suppression scopes. A hard bounce, a complaint or a suppression by hand applies to every caller
-- and stream (caller and stream NULL). An unsubscribe applies to one caller's broadcast stream only, so the
-- same caller's transactional mail (a password reset) still goes out. An address may now have one row per
-- scope: the row's key is (address, caller, stream), NULL counting as one value.
ALTER TABLE suppression DROP CONSTRAINT suppression_pkey;
ALTER TABLE suppression ADD COLUMN caller text, ADD COLUMN stream text;
-- For the list's cursor: (created_at, id) orders every row once.
ALTER TABLE suppression ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE UNIQUE INDEX suppression_scope ON suppression (address, caller, stream) NULLS NOT DISTINCT;
ALTER TABLE suppression ADD CONSTRAINT suppression_scope_stream CHECK (stream IN ('broadcast')),
  ADD CONSTRAINT suppression_scope_whole CHECK ((caller IS NULL) = (stream IS NULL));
ALTER TABLE suppression DROP CONSTRAINT suppression_reason_check;
ALTER TABLE suppression ADD CONSTRAINT suppression_reason_check
  CHECK (reason IN ('hard_bounce', 'complaint', 'manual', 'unsubscribe') AND (reason <> 'unsubscribe' OR stream IS NOT NULL));

-- records answers the one-click POST itself: the unsubscribe and its line in the mail's timeline are written
-- in one statement (the recorder would find the row there had the event reached it first).
GRANT INSERT ON mail_event TO mailer_records;
-- A timeline names the suppression each of its events put in place.
CREATE INDEX suppression_event ON suppression (event_id);
