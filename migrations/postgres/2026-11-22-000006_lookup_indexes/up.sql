-- The list page's agency filter asks, per agency, whether it has a published challenge:
-- with the status beside the organisation that is an index-only lookup.
DROP INDEX challenges_organisation;
CREATE INDEX challenges_organisation_status ON challenges(organisation_id, status);
-- The organisation directory is sorted by name, with or without a kind filter.
CREATE INDEX organisations_name ON organisations(name);
CREATE INDEX organisations_kind_name ON organisations(kind, name);
