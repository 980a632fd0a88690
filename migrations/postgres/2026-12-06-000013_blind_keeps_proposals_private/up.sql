-- Blind review and public proposals exclude each other (policy::blind_review_possible):
-- a challenge that has a blind stage keeps its proposals private.
UPDATE challenges SET proposal_visibility = 'private'
WHERE proposal_visibility = 'public_after_deadline'
  AND id IN (SELECT challenge_id FROM stages WHERE blind);
