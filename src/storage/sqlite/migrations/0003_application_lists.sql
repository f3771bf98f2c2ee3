-- Version 3: a registrar lists the applications made to their organisation, newest first.
CREATE INDEX application_by_org ON application(org, seq);
