-- Issue 31: each mail's message stream (transactional or broadcast), from its email.sent. Mails recorded
-- before streams existed were all transactional.
ALTER TABLE mail ADD COLUMN stream text NOT NULL DEFAULT 'transactional'
  CHECK (stream IN ('transactional', 'broadcast'));
