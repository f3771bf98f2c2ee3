-- Emkhana schema for PostgreSQL, version 1: the same registry as the SQLite schema at its
-- version 2 (storage/sqlite/migrations), in PostgreSQL's own types.
-- - Identifiers (organisation, district, application ids, IINs) are text in the "C" collation,
--   so that they sort byte by byte, exactly as in SQLite, and compare fast.
-- - Dates are `date`; an open-ended period has valid_to NULL.
-- - Moments (recorded_at, at) are `timestamptz` with microsecond precision; the Store exchanges
--   them as microseconds since the Unix epoch (queries.hpp converts).
-- - Order of decisions, policies, audit entries and history is an identity column `seq`.

CREATE SEQUENCE policy_version_seq;
CREATE TABLE policy_version (
  version     text COLLATE "C" PRIMARY KEY,
  body        text NOT NULL,
  seq         bigint NOT NULL DEFAULT nextval('policy_version_seq')
);
ALTER SEQUENCE policy_version_seq OWNED BY policy_version.seq;

CREATE TABLE organization (
  id          text COLLATE "C" PRIMARY KEY,
  ate         text COLLATE "C" NOT NULL,
  name        text NOT NULL DEFAULT '',
  license     boolean NOT NULL,
  contract    boolean NOT NULL,
  is_private  boolean NOT NULL,
  rural       boolean NOT NULL,
  latitude    double precision,
  longitude   double precision,
  closed_on   date,
  successor   text COLLATE "C" REFERENCES organization(id)
);
CREATE INDEX organization_by_ate ON organization(ate, id);

CREATE TABLE district (
  id          text COLLATE "C" PRIMARY KEY,
  org         text COLLATE "C" NOT NULL REFERENCES organization(id),
  kind        text NOT NULL CHECK (kind IN ('gp', 'therapist', 'pediatrician')),
  doctors     integer NOT NULL CHECK (doctors >= 0),
  capacity    integer CHECK (capacity >= 0)
);
CREATE INDEX district_by_org ON district(org, id);

CREATE TABLE person (
  iin         text COLLATE "C" PRIMARY KEY CHECK (length(iin) = 12),
  -- Dense-ish insertion number: SamplePersons draws from it as SQLite draws from rowids.
  seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  birth       date NOT NULL,
  sex         text NOT NULL CHECK (sex IN ('M', 'F')),
  status      text NOT NULL,
  name        text NOT NULL DEFAULT '',
  ate_registration text, ate_residence text, ate_temporary text, ate_work text,
  ate_study   text, ate_deployment text, ate_custody text,
  categories  bigint NOT NULL DEFAULT 0,   -- bit set (domain::Categories)
  insurance_kind  text CHECK (insurance_kind IN ('dms', 'vms')),
  insurance_from  date,
  insurance_until date,
  deceased    date,
  osms_category text NOT NULL DEFAULT 'none',
  osms_payer  text NOT NULL DEFAULT 'none',
  osms_insured boolean NOT NULL DEFAULT false
);

CREATE TABLE representative (
  iin            text COLLATE "C" NOT NULL REFERENCES person(iin),
  representative text COLLATE "C" NOT NULL,
  PRIMARY KEY (iin, representative)
);

-- The current shape of each attachment period. A period's `valid_to`/`end_reason` change when it
-- is cut short or cancelled; every such change is also appended to attachment_history.
CREATE TABLE attachment (
  id           bigint PRIMARY KEY,
  iin          text COLLATE "C" NOT NULL,
  org          text COLLATE "C" NOT NULL REFERENCES organization(id),
  district     text COLLATE "C" NOT NULL REFERENCES district(id),
  valid_from   date NOT NULL,
  valid_to     date,
  end_reason   text NOT NULL DEFAULT 'open',
  application  text COLLATE "C",
  recorded_at  timestamptz NOT NULL,
  CHECK (valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX attachment_by_person ON attachment(iin, valid_from);
-- At most one open-ended, live period per person (invariant 1 for the open future).
CREATE UNIQUE INDEX attachment_one_open_per_person ON attachment(iin)
  WHERE valid_to IS NULL AND end_reason = 'open';

CREATE TABLE attachment_history (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attachment   bigint NOT NULL REFERENCES attachment(id),
  valid_from   date NOT NULL,
  valid_to     date,
  end_reason   text NOT NULL,
  recorded_at  timestamptz NOT NULL
);

CREATE TABLE application (
  id           text COLLATE "C" PRIMARY KEY,
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- decision order
  app_date     date NOT NULL,
  iin          text COLLATE "C" NOT NULL,   -- as submitted (may be malformed)
  applicant    text COLLATE "C" NOT NULL,
  org          text COLLATE "C" NOT NULL,
  district     text COLLATE "C",
  channel      text NOT NULL,
  basis        text NOT NULL,
  consent      boolean NOT NULL,
  documents    bigint NOT NULL,            -- bit set (domain::Documents)
  declared_birth date,
  declared_sex text,
  outcome      text NOT NULL CHECK (outcome IN ('approved', 'refused')),
  reasons      text NOT NULL,          -- codes, comma-separated, sorted
  decided_org  text COLLATE "C",
  decided_district text COLLATE "C",
  effective    date,
  decide_by    date NOT NULL,
  alternatives text NOT NULL,          -- organisation ids, comma-separated
  policy_version text NOT NULL,
  free_choice_change boolean NOT NULL,
  recorded_at  timestamptz NOT NULL,
  CHECK (outcome = 'refused' OR (decided_district IS NOT NULL AND effective IS NOT NULL))
);
CREATE INDEX application_by_person ON application(iin, app_date);
-- A registrar lists the applications made to their organisation, newest first.
CREATE INDEX application_by_org ON application(org, seq);

CREATE TABLE audit_log (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text NOT NULL,
  channel      text NOT NULL,
  action       text NOT NULL,
  subject      text COLLATE "C" NOT NULL,
  detail       text NOT NULL,
  policy_version text NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log(subject, seq);

-- The registry's statistics cube as of its last checkpoint (see src/stats). Every commit marks
-- it stale in the same transaction, so a reader never trusts counts that miss a decision.
CREATE TABLE stats_snapshot (
  id          smallint PRIMARY KEY CHECK (id = 1),
  header      text NOT NULL,     -- JSON: dictionaries (regions, organisations, districts), policy
  entries     bytea NOT NULL,    -- packed cube entries (src/stats/cube.hpp)
  stale       boolean NOT NULL
);

-- History is never overwritten (invariant 3). The errors are integrity violations (SQLSTATE
-- 23000), as a constraint would raise.
CREATE FUNCTION emkhana_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION emkhana_append_only('audit_log');
CREATE TRIGGER attachment_history_append_only BEFORE UPDATE OR DELETE ON attachment_history
  FOR EACH ROW EXECUTE FUNCTION emkhana_append_only('attachment_history');
CREATE TRIGGER application_append_only BEFORE UPDATE OR DELETE ON application
  FOR EACH ROW EXECUTE FUNCTION emkhana_append_only('decisions (application)');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION emkhana_append_only('audit_log');
CREATE TRIGGER attachment_history_no_truncate BEFORE TRUNCATE ON attachment_history
  FOR EACH STATEMENT EXECUTE FUNCTION emkhana_append_only('attachment_history');
CREATE TRIGGER application_no_truncate BEFORE TRUNCATE ON application
  FOR EACH STATEMENT EXECUTE FUNCTION emkhana_append_only('decisions (application)');

CREATE FUNCTION emkhana_attachment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'attachment periods are never deleted'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  -- A period keeps its person, place and start; only its end and end reason change.
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.iin IS DISTINCT FROM OLD.iin
     OR NEW.org IS DISTINCT FROM OLD.org OR NEW.district IS DISTINCT FROM OLD.district
     OR NEW.valid_from IS DISTINCT FROM OLD.valid_from
     OR NEW.application IS DISTINCT FROM OLD.application THEN
    RAISE EXCEPTION 'attachment periods keep their person, place and start'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER attachment_guard BEFORE UPDATE OR DELETE ON attachment
  FOR EACH ROW EXECUTE FUNCTION emkhana_attachment_guard();
