-- Version 5: the keys a request was sent with (a caller's Idempotency-Key, or their reference
-- for the application), each scoped to its caller and hashed (http/api_applications.cpp), with
-- the application it named and the hash of what it was sent with. Kept in the database so that
-- a retry after a restart still finds its decision (issue 23, ADR 0016).
CREATE TABLE idempotency_key (
  key          TEXT PRIMARY KEY,
  application  TEXT NOT NULL,
  fingerprint  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
