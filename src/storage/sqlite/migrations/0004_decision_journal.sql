-- Version 4: the decision journal (ADR 0007). A commit of decisions appends its attachment
-- periods, period changes, decided applications and audit entries here as one binary record
-- (storage/sqlite/journal_codec); the store applies the records to the tables above in large
-- transactions later, and deletes them in the same transaction. Every read of those tables
-- applies what is pending first.
CREATE TABLE decision_journal (
  seq        INTEGER PRIMARY KEY,
  mutations  INTEGER NOT NULL CHECK (mutations > 0),
  body       BLOB NOT NULL
) STRICT;
