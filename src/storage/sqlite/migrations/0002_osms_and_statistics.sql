-- Version 2: each person's OSMS standing, and the snapshot of the maintained statistics.

ALTER TABLE person ADD COLUMN osms_category TEXT NOT NULL DEFAULT 'none';
ALTER TABLE person ADD COLUMN osms_payer TEXT NOT NULL DEFAULT 'none';
ALTER TABLE person ADD COLUMN osms_insured INTEGER NOT NULL DEFAULT 0 CHECK (osms_insured IN (0, 1));

-- The registry's statistics cube as of its last checkpoint (see src/stats). Every commit marks
-- it stale in the same transaction, so a reader never trusts counts that miss a decision.
CREATE TABLE stats_snapshot (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  header      TEXT NOT NULL,     -- JSON: dictionaries (regions, organisations, districts), policy
  entries     BLOB NOT NULL,     -- packed cube entries (src/stats/cube.hpp)
  stale       INTEGER NOT NULL CHECK (stale IN (0, 1))
) STRICT;

-- No query looks attachments up by district (panels live in the registry's memory), and at 20
-- million rows the index costs more to keep than it gives.
DROP INDEX attachment_by_district;
