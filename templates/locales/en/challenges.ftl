# Challenges, questions, proposals

## Error messages
budget-invalid = Please enter the budget as a whole number of euros, for example 45000.
challenge-finished = This challenge is finished and can no longer be changed.
deadline-in-past = The submission deadline must be in the future.
deadline-invalid = Please enter a date and time, for example 31/12/2026, 18:00.
deadline-only-later = There are submissions already: the deadline can only be extended.
eligibility-invalid = Please choose only startups, civil society or research.
eligibility-required = Please choose at least one kind of organisation that may submit.
level-invalid = Please choose the level of government.
locked-after-submissions = There are submissions already: this can no longer be changed.
reviewers-invalid = Please give between 1 and 20 reviewers per proposal.
scale-invalid = The scale must run from a smaller to a larger value between 0 and 100.
stage-kind-invalid = A stage is either a review or a checklist.
stages-locked = The evaluation has started: the stages can no longer be changed.
too-many = These are too many entries.
topic-invalid = Please choose topics from the list.
transition-illegal = This step is not possible in the current status.
visibility-invalid = Please choose whether proposals become public after the deadline.
weight-invalid = The weight must be a number greater than 0.
