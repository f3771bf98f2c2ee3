-- Emkhana schema for PostgreSQL, version 3: the audit trail as a hash chain (issue 23, ADR 0020;
-- storage/audit_chain.hpp). Entries are written under the writers' lock, so that each links to
-- the one committed before it. Entries older than this version keep NULL hashes.
ALTER TABLE audit_log ADD COLUMN ref text NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;
