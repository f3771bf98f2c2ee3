-- Version 6: the audit trail as a hash chain (issue 23, ADR 0020; storage/audit_chain.hpp).
-- Each entry written from now on holds the hash of the entry before it and its own; an entry
-- that records a decision holds the decision's digest in `ref`. Entries written before this
-- version keep NULL hashes: `emkhana audit verify` counts them as older than the chain.
ALTER TABLE audit_log ADD COLUMN ref TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
