-- Version 4: one spelling (docs/style.md): the table of organisations is `organisation`.
-- Foreign keys name the table by its identity, so they follow the rename.
ALTER TABLE organization RENAME TO organisation;
ALTER INDEX organization_by_ate RENAME TO organisation_by_ate;
