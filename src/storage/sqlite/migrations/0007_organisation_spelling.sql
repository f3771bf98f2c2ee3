-- Version 7: one spelling (docs/style.md): the table of organisations is `organisation`.
-- SQLite (3.26+) carries the rename into the foreign keys of district and attachment.
ALTER TABLE organization RENAME TO organisation;
DROP INDEX organization_by_ate;
CREATE INDEX organisation_by_ate ON organisation(ate, id);
