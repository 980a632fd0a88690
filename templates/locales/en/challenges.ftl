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
challenge-not-accepting = This challenge does not accept proposals (any more).
organisation-not-eligible = Your organisation may not submit to this challenge.
proposal-exists = Your organisation already has a proposal for this challenge.
proposal-withdrawn = The proposal was withdrawn and can no longer be edited.
proposal-changed = The proposal was changed in the meantime, for example withdrawn or edited by someone else. Your change was not saved: please reload the proposal and check it.
deadline-passed = The submission deadline has passed.
proposal-not-draft = Only drafts can be submitted.
proposal-not-submitted = This is only possible for submitted proposals.
challenge-in-evaluation = The evaluation has started: the proposal can no longer be withdrawn.
proposal-not-withdrawn = Only withdrawn proposals can be reopened.
file-empty = Please choose a file.
file-type = This type of file is not allowed. Allowed are PDF, PNG, JPEG, OpenDocument and Office documents, CSV and text.
file-too-large = The file is too large.
file-run-quota = This file no longer fits: all files of one run together may be at most 30 MB.

## Navigation and lists
nav-challenges = Challenges
nav-dashboard = Overview
challenges-title = Challenges
challenge-title = Challenge
challenges-filter-label = Filter challenges
challenges-search = Search term
challenges-filter-status = Status
challenges-filter-topic = Topic
challenges-filter-agency = Agency
challenges-filter-level = Level
challenges-sort = Order
challenges-filter-soon = Only with a deadline in the next 14 days
all-topics = All topics
all-agencies = All agencies
challenges-agencies-directory = More agencies in the directory
all-levels = All levels
challenges-count = { $count ->
    [0] No challenge found.
    [one] One challenge
   *[other] { $count } challenges
}
challenge-new-title = Create a challenge
challenge-edit-title = Edit challenge
cstatus-draft = Draft
cstatus-open = Open
cstatus-closed = Closed
cstatus-evaluating = Under evaluation
cstatus-concluded = Concluded
cstatus-archived = Archived
cstatus-all = All published
sort-deadline = Deadline (soonest first)
sort-newest = Newest first
sort-title = Title
level-bund = Federal
level-land = State
level-kommune = Local
deadline-today = Deadline today
days-left = { $count ->
    [one] 1 day left
   *[other] { $count } days left
}
deadline-passed-short = deadline passed

## Detail page
challenge-agency = Agency
challenge-deadline = Submission deadline
challenge-budget = Budget
challenge-level = Level of government
challenge-eligibility = Who may submit
challenge-visibility = Visibility of proposals
visibility-private = Proposals are seen only by the team and the agency.
visibility-public_after_deadline = Proposals become public after the deadline (without confidential details).
challenge-contact = Contact
challenge-propose = Submit a proposal
challenge-follow = Follow
challenge-unfollow = Unfollow
challenge-public-proposals = See the public proposals
challenge-manage-title = Managing this challenge
challenge-submitted-count = { $count ->
    [0] No submissions yet.
    [one] One submission.
   *[other] { $count } submissions.
}
challenge-edit = Edit
challenge-draft-preview = Preview: this draft is not published yet and only visible to your agency.
challenge-description = Description
challenge-stages = Process and evaluation
stage-kind-review = Review
stage-kind-eligibility = Eligibility check (yes/no)
stage-reviewers = { $count ->
    [one] 1 review per proposal
   *[other] { $count } reviews per proposal
}
stage-blind = anonymised
stage-criteria = Criteria
criterion-name = Criterion
criterion-weight = Weight
criterion-scale = Scale
transition-publish = Publish
transition-close = Close submissions
transition-start_evaluation = Start evaluation
transition-conclude = Conclude
transition-archive = Archive
back-to-challenge = Back to the challenge
challenge-field-title = Title
challenge-field-summary = Summary
challenge-field-summary-hint = One or two sentences for the overview.
challenge-field-language = Language of the texts
challenge-field-region = Region
challenge-field-budget-hint = In euros, for example 45000.
challenge-field-deadline-hint = Date and time (German time). Submissions are accepted until then, to the second.
challenge-topics = Topics

## Files
attachments-title = Files
attachments-none = No files.
attachments-file = File
attachments-hint = PDF, PNG, JPEG, OpenDocument, Word/Excel/PowerPoint, CSV or text; at most 20 MB.
attachments-delete = Delete
flash-file-deleted = The file has been deleted.
attachments-upload = Upload

## Questions
questions-title = Questions and answers
questions-desk-title = Answer questions
question-title = Your question
question-label = Question:
answer-label = Answer:
decline-label = Not answered because:
question-anonymous = Anonymous
question-status-open = waiting for an answer
question-status-answered = answered
question-status-declined = declined
question-hidden = hidden
questions-none = No public questions yet.
question-ask-title = Ask a question
question-body = Your question
question-body-hint = The agency answers questions publicly so that everybody has the same information.
honeypot-label = Please leave this field empty
question-anonymous-choice = Ask anonymously (nobody, the agency included, sees who asked)
question-anonymous-visitor = Without logging in you ask anonymously.
question-submit = Send question
question-asked-title = Question sent
question-asked-anonymous = Your question was sent anonymously. This private link shows you the answer later. Keep it; it is shown only now.
answer-field = Public answer
decline-field = Or: reason for declining
answer-submit = Publish answer
decline-submit = Decline
question-hide = Hide
question-show = Show again
hide-reason = Reason

## Proposals
challenge-proposals-title = Proposals
proposals-count = { $count ->
    [0] No proposals.
    [one] One proposal
   *[other] { $count } proposals
}
proposal-title = Proposal
proposal-new-title = Start a proposal
proposal-edit-title = Edit proposal
proposal-organisation = Organisation
proposal-challenge = Challenge
proposal-submitted-at = Submitted on
proposal-revision = Version { $number }
pstatus-draft = Draft
pstatus-submitted = Submitted
pstatus-withdrawn = Withdrawn
proposal-field-title = Title
proposal-field-summary = Summary
proposal-field-approach = Approach
proposal-field-team = Team
proposal-field-pilot_scope = Scope of the pilot
proposal-field-pilot_duration = Duration of the pilot
proposal-field-pilot_kpis = Indicators and targets
proposal-field-cost_estimate_eur = Cost estimate
proposal-field-data_protection = Data protection
proposal-field-licence = Licence / open source
proposal-pilot = Pilot plan
proposal-private = Confidential details
proposal-edit = Edit
proposal-submit = Submit
proposal-withdraw = Withdraw
proposal-reopen = Reopen as a draft
proposal-kpis-hint = One indicator per line with a target, for example "completion rate ≥ 80 %".
proposal-licence-hint = For example EUPL-1.2, MIT or "proprietary" with a reason.
proposal-note = What changed?
proposal-note-hint = Shown in the list of versions.
proposal-form-hint = You can save a draft at any time; to submit, every field but the cost estimate must be filled in.
proposal-save = Save
proposal-save-submit = Save and submit
revisions-title = Versions
revision-first = First submitted version.
revision-no-changes = No changes to the content.
diff-added = Added:
diff-removed = Removed:
thread-title = Clarifications
thread-intro = Only the team and the agency see these messages.
thread-empty = No messages yet.
thread-message = Message
thread-send = Send

## Overview and notifications
dashboard-title = Overview
dashboard-challenges = My challenges
dashboard-drafts = Drafts
dashboard-submitted = Submitted
dashboard-questions = Open questions
dashboard-proposals = My proposals
dashboard-no-proposals = You have no proposals yet.
notifications-title = Notifications
notifications-unread = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
notifications-mark-read = Mark all as read
notifications-new = New:
notifications-none = No notifications.
notify-challenge-status = The status of "{ $title }" has changed.
notify-question-new = New question about "{ $title }".
notify-question-answered = A question about "{ $title }" was answered.
notify-proposal-submitted = Proposal "{ $title }" was submitted.
notify-document-added = New document for "{ $title }".
notify-deadline-near = The submission deadline of "{ $title }" is near.
notify-message = New message about "{ $title }".

## Notices after actions
flash-challenge-created = The draft has been created.
flash-challenge-saved = Your changes have been saved.
flash-challenge-status = The status has been changed.
flash-following = You follow this challenge.
flash-unfollowed = You no longer follow this challenge.
flash-question-asked = Your question has been sent.
flash-question-answered = The answer has been saved.
flash-answer-empty = Please write an answer or a reason for declining.
flash-question-moderated = The visibility of the question has been changed.
flash-file-uploaded = The file has been uploaded.
flash-proposal-created = The draft has been created.
flash-proposal-saved = The proposal has been saved.
flash-proposal-submitted = The proposal has been submitted.
flash-proposal-withdrawn = The proposal has been withdrawn.
flash-proposal-reopened = The proposal is a draft again.
flash-message-sent = The message has been sent.
flash-notifications-read = All notifications are read.

## Stage editor
stages-title = Edit process and evaluation
stages-intro = Add the stages in their order, each with its criteria. Empty rows are ignored; use the empty row at the end to add a criterion or a stage.
stages-new = New stage
stages-where-stage = Stage { $stage }
stages-where-criterion = Stage { $stage }, criterion { $criterion }
stage-name = Name of the stage
stage-position = Order
stage-kind = Kind
stage-reviewers-field = Reviews per proposal
stage-blind-field = Review anonymised (team and organisation stay hidden)
stage-starts = Start
stage-ends = End
stage-remove = Remove this stage
criterion-description = Description
criterion-min = Scale from
criterion-max = Scale to
criterion-comment = Reason required
criterion-remove = Remove
criterion-new = new
challenge-edit-stages = Edit process
flash-stages-saved = The process has been saved.
visibility-excludes-blind = This challenge has a blind stage: proposals stay private, or the evaluators would see the teams.
blind-needs-private-proposals = A blind stage needs private proposals: public proposals name their team.
