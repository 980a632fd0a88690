DROP TRIGGER topics_search ON topics;
DROP FUNCTION search_outbox_rebuild();
DROP TRIGGER organisations_search ON organisations;
DROP TRIGGER questions_search ON questions;
DROP TRIGGER proposals_search ON proposals;
DROP TRIGGER challenge_topics_search ON challenge_topics;
DROP TRIGGER challenges_search ON challenges;
DROP FUNCTION search_outbox_enqueue();
DROP TABLE search_outbox;
