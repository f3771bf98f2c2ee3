-- Emkhana schema for PostgreSQL, version 2: several `serve` processes on one database (ADR 0006).
-- - change_log: every committed batch that changes the registry, as storage/change_codec.hpp
--   encodes it, so that each process applies what the others committed. Writers append under
--   the writers' advisory lock (queries.hpp, kLockWriters), so `seq` grows in commit order; it
--   may have gaps (a rolled back turn), never a late smaller value.
-- - idempotency_key: the Idempotency-Key of each application that carried one, unique across
--   all processes (the last guard: a second process can only reach it by a bug).
CREATE TABLE change_log (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch        text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_key (
  key          text COLLATE "C" PRIMARY KEY,
  application  text COLLATE "C" NOT NULL,
  fingerprint  text NOT NULL
);
