DROP INDEX organisations_kind_name;
DROP INDEX organisations_name;
DROP INDEX challenges_organisation_status;
CREATE INDEX challenges_organisation ON challenges(organisation_id);
