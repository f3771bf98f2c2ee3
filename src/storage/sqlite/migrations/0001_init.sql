-- Emkhana schema, version 1. Identifiers are the registry's codes (scenario ids, generated codes).
-- Dates are ISO text 'YYYY-MM-DD'; an open-ended period has valid_to NULL.
-- Timestamps (recorded_at, at) are microseconds since the Unix epoch, UTC.

CREATE TABLE policy_version (
  version     TEXT PRIMARY KEY,
  body        TEXT NOT NULL,
  seq         INTEGER NOT NULL
) STRICT;

CREATE TABLE organization (
  id          TEXT PRIMARY KEY,
  ate         TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  license     INTEGER NOT NULL CHECK (license IN (0, 1)),
  contract    INTEGER NOT NULL CHECK (contract IN (0, 1)),
  is_private  INTEGER NOT NULL CHECK (is_private IN (0, 1)),
  rural       INTEGER NOT NULL CHECK (rural IN (0, 1)),
  latitude    REAL,
  longitude   REAL,
  closed_on   TEXT,
  successor   TEXT REFERENCES organization(id)
) STRICT;
CREATE INDEX organization_by_ate ON organization(ate, id);

CREATE TABLE district (
  id          TEXT PRIMARY KEY,
  org         TEXT NOT NULL REFERENCES organization(id),
  kind        TEXT NOT NULL CHECK (kind IN ('gp', 'therapist', 'pediatrician')),
  doctors     INTEGER NOT NULL CHECK (doctors >= 0),
  capacity    INTEGER CHECK (capacity >= 0)
) STRICT;
CREATE INDEX district_by_org ON district(org, id);

CREATE TABLE person (
  iin         TEXT PRIMARY KEY CHECK (length(iin) = 12),
  birth       TEXT NOT NULL,
  sex         TEXT NOT NULL CHECK (sex IN ('M', 'F')),
  status      TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  ate_registration TEXT, ate_residence TEXT, ate_temporary TEXT, ate_work TEXT,
  ate_study   TEXT, ate_deployment TEXT, ate_custody TEXT,
  categories  INTEGER NOT NULL DEFAULT 0,
  insurance_kind  TEXT CHECK (insurance_kind IN ('dms', 'vms')),
  insurance_from  TEXT,
  insurance_until TEXT,
  deceased    TEXT
) STRICT;

CREATE TABLE representative (
  iin            TEXT NOT NULL REFERENCES person(iin),
  representative TEXT NOT NULL,
  PRIMARY KEY (iin, representative)
) STRICT, WITHOUT ROWID;

-- The current shape of each attachment period. A period's `valid_to`/`end_reason` change when it
-- is cut short or cancelled; every such change is also appended to attachment_history.
CREATE TABLE attachment (
  id           INTEGER PRIMARY KEY,
  iin          TEXT NOT NULL,
  org          TEXT NOT NULL REFERENCES organization(id),
  district     TEXT NOT NULL REFERENCES district(id),
  valid_from   TEXT NOT NULL,
  valid_to     TEXT,
  end_reason   TEXT NOT NULL DEFAULT 'open',
  application  TEXT,
  recorded_at  INTEGER NOT NULL,
  CHECK (valid_to IS NULL OR valid_from <= valid_to)
) STRICT;
CREATE INDEX attachment_by_person ON attachment(iin, valid_from);
CREATE INDEX attachment_by_district ON attachment(district);
-- At most one open-ended, live period per person (invariant 1 for the open future).
CREATE UNIQUE INDEX attachment_one_open_per_person ON attachment(iin)
  WHERE valid_to IS NULL AND end_reason = 'open';

CREATE TABLE attachment_history (
  seq          INTEGER PRIMARY KEY,
  attachment   INTEGER NOT NULL REFERENCES attachment(id),
  valid_from   TEXT NOT NULL,
  valid_to     TEXT,
  end_reason   TEXT NOT NULL,
  recorded_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE application (
  id           TEXT PRIMARY KEY,
  seq          INTEGER NOT NULL UNIQUE,
  app_date     TEXT NOT NULL,
  iin          TEXT NOT NULL,
  applicant    TEXT NOT NULL,
  org          TEXT NOT NULL,
  district     TEXT,
  channel      TEXT NOT NULL,
  basis        TEXT NOT NULL,
  consent      INTEGER NOT NULL,
  documents    INTEGER NOT NULL,
  declared_birth TEXT,
  declared_sex TEXT,
  outcome      TEXT NOT NULL CHECK (outcome IN ('approved', 'refused')),
  reasons      TEXT NOT NULL,          -- codes, comma-separated, sorted
  decided_org  TEXT,
  decided_district TEXT,
  effective    TEXT,
  decide_by    TEXT NOT NULL,
  alternatives TEXT NOT NULL,          -- organisation ids, comma-separated
  policy_version TEXT NOT NULL,
  free_choice_change INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL,
  CHECK (outcome = 'refused' OR (decided_district IS NOT NULL AND effective IS NOT NULL))
) STRICT;
CREATE INDEX application_by_person ON application(iin, app_date);

CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  channel      TEXT NOT NULL,
  action       TEXT NOT NULL,
  subject      TEXT NOT NULL,
  detail       TEXT NOT NULL,
  policy_version TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_subject ON audit_log(subject, seq);

-- History is never overwritten (invariant 3).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER attachment_history_no_update BEFORE UPDATE ON attachment_history
  BEGIN SELECT RAISE(ABORT, 'attachment_history is append-only'); END;
CREATE TRIGGER attachment_history_no_delete BEFORE DELETE ON attachment_history
  BEGIN SELECT RAISE(ABORT, 'attachment_history is append-only'); END;
CREATE TRIGGER application_no_update BEFORE UPDATE ON application
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER application_no_delete BEFORE DELETE ON application
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER attachment_no_delete BEFORE DELETE ON attachment
  BEGIN SELECT RAISE(ABORT, 'attachment periods are never deleted'); END;
-- A period keeps its person, place and start; only its end and end reason change.
CREATE TRIGGER attachment_keeps_identity BEFORE UPDATE ON attachment
  WHEN NEW.iin IS NOT OLD.iin OR NEW.org IS NOT OLD.org OR NEW.district IS NOT OLD.district
    OR NEW.valid_from IS NOT OLD.valid_from OR NEW.application IS NOT OLD.application
  BEGIN SELECT RAISE(ABORT, 'attachment periods keep their person, place and start'); END;
