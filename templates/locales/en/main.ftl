# Innolab – English texts (second language)

## Frame and navigation
skip-to-content = Skip to content
nav-label = Main navigation
nav-home = Home
nav-organisations = Organisations
nav-account = My account
nav-admin = Administration
nav-login = Log in
nav-logout = Log out
nav-register = Register
switch-language = Deutsch
logged-in-as = Logged in as
footer-accessibility = Accessibility statement
footer-api = API (OpenAPI)
footer-tagline = Innolab – challenges and co-creation for the public sector.
pagination-label = Pages
pagination-prev = Previous page
pagination-next = Next page
pagination-position = Page { $page } of { $last }
never = never
unknown = unknown

## Forms
form-email = Email address
form-display-name = Name
form-display-name-hint = How others will see you, for example "Erika Mustermann".
form-password = Password
form-password-hint = At least 12 characters. Several random words work best; common or easily guessed passwords are refused.
form-new-password = New password
form-current-password = Current password
form-locale = Language
form-save = Save
form-filter = Show
form-optional = optional
form-org-name = Name of the organisation
form-org-kind = Kind of organisation
form-org-kind-hint = Agencies are checked by the platform before they can publish for the first time.
form-website = Website
form-website-hint = Full address, starting with https://
form-description = Description
form-markdown-hint = You can use Markdown: **bold**, lists with "-", links as [text](https://…).

## Error messages
error-summary-title = Please correct the following
error-summary-prefix = Error
error-prefix = Error:
field-required = Please fill in this field.
field-too-long = This text is too long.
email-invalid = Please enter a valid email address, for example name@example.org.
email-taken = There is already an account for this email address. Log in or reset your password.
locale-invalid = Please choose German or English.
password-too-short = The password must be at least 12 characters long.
password-too-long = The password must be at most 128 characters long.
password-common = This password is widely used and tried first in attacks. Please choose another one.
password-repeats = Repeats like "aaa" or "abcabc" are easy to guess. Please choose another password.
password-pattern = Keyboard patterns and sequences like "qwerty" or "1234" are easy to guess. Please choose another password.
password-dates = Years and dates are easy to guess. Please choose another password.
password-names = Names – your own too – are easy to guess. Please choose another password.
password-weak = This password is too easy to guess. Try three or four random words, for example.
password-wrong = The current password is not correct.
login-failed = Email address or password is not correct.
token-invalid = This link is not valid. Please check that you copied all of it.
token-used = This link has already been used.
token-expired = This link has expired. Please ask for a new one.
token-limit = You have reached the maximum number of API tokens. Revoke an old one first.
url-invalid = Please enter a full address starting with https:// or http://.
org-kind-invalid = Please choose the kind of organisation.
role-invalid = Please choose a role.
member-already = This person is already a member.
invitation-pending = An invitation has already been sent to this address.
last-owner = The last owner cannot leave the organisation. Make someone else an owner first.
verify-only-agencies = Only agencies need to be verified.
email-unverified = Please confirm your email address first, using the link in our email.
agency-unverified = This agency has not been verified by the platform yet.
error-not-found = The page or record was not found.
error-unauthorized = Please log in.
error-forbidden = You are not allowed to do this.
error-csrf = The form has expired or did not come from this site. Please reload the page and send it again.
error-validation = Some of the information is not valid.
error-too-many-logins = Too many failed attempts. Please wait 15 minutes and try again, or reset your password.
error-too-many = Too many requests in a short time. Please wait a while and try again.
error-payload-too-large = What was sent is too large. Files may be at most as large as the field says.
error-unavailable = The service is busy right now. Please try again in a moment.
error-internal = An unexpected error occurred. We have been notified.

## Error pages
error-title = Error
error-400-title = Bad request
error-400-text = The request could not be processed. Please check what you entered.
error-403-title = Not allowed
error-403-text = You may not open this page or perform this action.
error-404-title = Page not found
error-404-text = This page does not exist, or no longer. Perhaps the address has changed.
error-409-title = Not possible
error-409-text = This action is not possible in the current state.
error-429-title = Too many requests
error-429-text = Please wait a moment and try again.
error-500-title = Internal error
error-500-text = An unexpected error occurred. Please try again later.
error-503-title = Temporarily unavailable
error-503-text = The service cannot be reached right now. Please try again in a moment.
error-status = Error code { $status }
error-home = Go to the home page

## Notices after actions
flash-login-required = Please log in to continue.
flash-logged-in = You are logged in.
flash-logged-out = You are logged out.
flash-email-verified = Your email address is confirmed.
flash-password-reset = Your password has been changed. Please log in with the new password.
flash-profile-saved = Your details have been saved.
flash-password-changed = Your password has been changed. All other sessions have been ended and all API tokens revoked.
flash-verification-sent = We have sent you a new confirmation email.
flash-token-revoked = The API token has been revoked.
flash-session-revoked = The session has been ended.
flash-invitation-accepted = Welcome! You are now a member.
flash-invitation-declined = The invitation has been declined.
flash-org-created = The organisation has been created.
flash-org-saved = Your changes have been saved.
flash-member-invited = The invitation has been sent by email.
flash-member-removed = The member has been removed.
flash-role-changed = The role has been changed.
flash-org-left = You have left the organisation.
flash-org-verified = The agency is now verified.

## Home
home-title = Home
home-heading = Building better public services together
home-lead = Agencies describe real tasks. Startups, civil society and research answer with solutions you can try out. Experts evaluate them fairly and transparently.
home-cta-register = Register now
home-cta-organisation = Create an organisation
home-how-title = How Innolab works
home-how-agencies-title = For agencies
home-how-agencies = Publish challenges with a problem, a budget and a deadline – at federal, state or local level.
home-how-teams-title = For solution teams
home-how-teams = Submit proposals together and show with pilot forms that your solution works.
home-how-evaluators-title = For evaluators
home-how-evaluators = Score proposals stage by stage against clear criteria, protected from conflicts of interest.
home-how-citizens-title = For citizens
home-how-citizens = Try out new digital public-service forms and tell us how well they work.
home-stats-title = Taking part
home-topics-title = Topics

## Account: register, log in, password
register-title = Register
register-intro = With an account you can create organisations, submit proposals and ask questions.
register-submit = Create account
register-have-account = Already have an account?
registered-title = Almost done
registered-text = We have sent an email to { $email }. Please confirm your address with the link in it.
registered-next = You can log in right away. You can create organisations once your address is confirmed.
verify-title = Confirm your email address
verify-intro = Please confirm that this email address belongs to you.
verify-submit = Confirm address
verify-broken = This confirmation link cannot be used. Log in to ask for a new one.
login-title = Log in
login-submit = Log in
login-forgot = Forgot your password?
login-no-account = No account yet? Register now
forgot-title = Forgot password
forgot-intro = Enter your email address. If there is an account for it, we will send you a link to reset your password.
forgot-submit = Send link
forgot-sent = If there is an account for this address, an email with a link is on its way. The link is valid for one hour.
reset-title = Set a new password
reset-submit = Save password
reset-broken = This link cannot be used.
reset-request-new = Ask for a new link

## Account settings
account-title = My account
account-open-invitations = { $count ->
    [one] You have an open invitation.
   *[other] You have { $count } open invitations.
}
account-unverified-title = Email address not confirmed yet
account-unverified = We have sent a confirmation link to { $email }. No email received?
account-resend = Send confirmation email again
account-profile-title = Personal details
account-organisations-title = My organisations
account-no-organisations = You are not a member of any organisation yet.
account-password-title = Change password
account-password-intro = After the change, all other sessions are ended and all API tokens revoked.
account-password-submit = Change password
account-tokens-title = API tokens
account-tokens-intro = An API token lets other programs use the Innolab API on your behalf (header "Authorization: Bearer …").
account-token-name = Name of the token
account-token-create = Create token
account-token-created = New API token
account-token-once = Copy the token now. It is shown only this once.
account-token-revoke = Revoke
account-sessions-title = Logged-in devices
account-session-current = this device
account-session-revoke = End
col-name = Name
col-created = Created
col-last-used = Last used
col-last-seen = Last active
col-actions = Actions
col-device = Device
col-address = Address
col-role = Role
col-since = Member since
col-status = Status
col-time = Time
col-actor = Person
col-action = Action
col-object = Object
col-details = Details

## Invitations
invitations-title = Invitations
invitations-item = Invitation to { $org } as { $role }
invitations-expires = Valid until
invitations-accept = Accept
invitations-decline = Decline
invitations-none = You have no open invitations.

## Organisations
organisations-title = Organisations
organisations-filter-kind = Kind
organisations-all-kinds = All kinds
organisations-count = { $count ->
    [one] One organisation
   *[other] { $count } organisations
}
organisation-new-title = Create an organisation
organisation-edit-title = Edit organisation
organisation-since = On Innolab since
organisation-your-role = Your role
organisation-edit = Edit
organisation-leave = Leave organisation
organisation-pending-note = This agency is still being checked by the platform. Until then it cannot publish challenges.
kind-agency = Agency
kind-startup = Startup
kind-civil_society = Civil society
kind-research = Research
kinds-agency = agencies
kinds-startup = startups
kinds-civil_society = civil-society groups
kinds-research = research teams
role-owner = Owner
role-member = Member
badge-verified = Verified
badge-pending = Verification pending
members-title = Members
members-back = Back to the profile
members-you = you
members-make-owner = Make owner
members-make-member = Make member
members-remove = Remove
members-invite-title = Invite someone
members-invite-intro = If the person already has an account, they become a member at once. Otherwise they receive an invitation by email.
members-invite-submit = Invite

## Administration
admin-title = Administration
admin-users-title = Accounts
admin-users-intro = All accounts with status and registration date.
admin-users-search = Name or email contains
admin-users-count = { $count ->
    [one] One account
   *[other] { $count } accounts
}
admin-user-verified = confirmed
admin-user-unverified = unconfirmed
admin-badge = Admin
admin-organisations-title = Agency verification
admin-organisations-intro = Agencies must be verified before they publish challenges. Check their details before you confirm.
admin-organisations-none = No agency is waiting for verification.
admin-pending-count = { $count ->
    [0] No agency is waiting for verification.
    [one] One agency is waiting for verification.
   *[other] { $count } agencies are waiting for verification.
}
admin-verify = Confirm as verified
admin-audit-title = Audit log
admin-audit-intro = Logins, denied access, role and membership changes, verifications – chained so they cannot be changed.
admin-audit-verify = Check the chain now
conflict-duplicate = This entry exists already. Please reload the page and check your input.
admin-audit-filter = Action
admin-audit-intact = The chain is intact ({ $count } entries checked).
admin-audit-broken = The chain is broken from entry { $id } on!
admin-topics-title = Topics
admin-topics-card = Add, rename and retire topics.
admin-topics-intro = Challenges and evaluators are tagged with these topics. Retired topics stay on existing challenges but no longer appear in filters and forms.
admin-topics-active = Topics in use
admin-topics-none = There is no topic yet.
admin-topics-retired = Retired topics
admin-topics-retired-intro = These topics stay on the challenges that carry them but can no longer be chosen.
admin-topics-back = Back to the topics
admin-topic-title = Edit topic
admin-topic-new = New topic
admin-topic-add = Add topic
admin-topic-name-de = Name (German)
admin-topic-name-en = Name (English)
admin-topic-slug = Key
admin-topic-slug-hint = Lower-case letters, digits and dashes, at most 40 characters, for example “open-data”. It appears in addresses and filters and cannot be changed later.
admin-topic-used = Challenges
admin-topic-used-count = { $count ->
    [0] none
    [one] one
   *[other] { $count }
}
admin-topic-edit = Edit
admin-topic-retire = Retire
admin-topic-restore = Use again
admin-topic-retired-badge = retired
admin-topic-rename-hint = A new name shows everywhere, on existing challenges too; search is rebuilt for it.
admin-topic-retire-hint = Once retired, the topic stays on existing challenges but leaves filters and forms.
topic-slug-invalid = Please use only lower-case letters, digits and dashes (at most 40 characters, no dash at the start or end).
topic-slug-taken = This key is taken already.
topic-too-many = There are 500 topics already; please retire unused ones instead of adding more.
flash-topic-created = The topic has been added.
flash-topic-saved = The topic has been saved.
flash-topic-retired = The topic has been retired.
flash-topic-restored = The topic can be chosen again.

## Accessibility
accessibility-title = Accessibility statement
accessibility-intro = Innolab should be usable by everybody. This statement covers the platform at this address and follows the German accessibility regulation BITV 2.0, which refers to WCAG 2.1 level AA.
accessibility-status-title = Compliance status
accessibility-status = The platform is checked continuously, automatically (axe-core) and by hand with the keyboard and without JavaScript. Every task can be done without JavaScript and with the keyboard alone.
accessibility-known-title = Known limitations
accessibility-known = Documents uploaded by users are not always accessible. We ask submitters to use accessible files.
accessibility-feedback-title = Feedback and contact
accessibility-feedback = Have you found a barrier? Write to us. We answer within two weeks.
accessibility-enforcement-title = Enforcement procedure
accessibility-enforcement = If you do not receive a satisfactory answer, you can contact the arbitration board under the German Disability Equality Act (BGG).

## Emails
mail-hello = Hello,
mail-greeting = Hello { $name },
mail-signature = Your Innolab team
mail-not-you = If you did not register, you can ignore this email.
mail-verify-subject = Please confirm your email address
mail-verify-body = please confirm your email address for Innolab with this link:
mail-verify-expiry = The link is valid for { $hours } hours.
mail-reset-subject = Reset your password
mail-reset-body = You asked to reset your password. Set a new one with this link:
mail-reset-expiry = The link is valid for { $minutes } minutes and can be used once.
mail-reset-not-you = If this was not you, you can ignore this email. Your password stays unchanged.
mail-account-exists-subject = You already have an Innolab account
mail-account-exists-body = someone has just tried to create a new Innolab account with your email address. This address already has an account.
mail-account-exists-login = If this was you, simply sign in:
mail-account-exists-reset = Forgotten your password? Reset it here:
mail-account-exists-not-you = If this was not you, there is nothing to do: your account stays as it is.
mail-password-changed-subject = Your password has been changed
mail-password-changed-body = the password of your Innolab account has just been changed. All other sessions have been ended and all API tokens revoked.
mail-password-changed-not-you = If this was not you, reset your password at once:
mail-invitation-subject = Invitation to Innolab
mail-invitation-body = { $inviter } invites you to work with "{ $org }" on Innolab.
mail-invitation-sign-in = Sign in to accept or decline the invitation:
mail-invitation-register = Register with this email address:
mail-invitation-then = Once your address is confirmed, you will find the invitation here:
mail-invitation-expiry = The invitation is valid for { $days } days.
mail-org-verified-subject = Your agency has been verified
mail-org-verified-body = "{ $org }" has been verified by the platform and can now publish challenges.

## Legal pages
legal-impressum-title = Legal notice (Impressum)
legal-privacy-title = Privacy notice
legal-other-language = This text is only available in another language.
legal-placeholder = The operator has not provided this text yet.
legal-placeholder-operator = Operator: please name a markdown file with the text under “{ $key }” in the configuration. A public body may not run the site without it.
privacy-cookies-title = Cookies
privacy-cookies-intro = This site sets only the cookies it needs to work, which is why it does not ask for consent. None is used for advertising or audience measurement.
privacy-cookie-name = Name
privacy-cookie-purpose = Purpose
privacy-cookie-lifetime = Kept for
privacy-cookie-purpose-session = Keeps you signed in.
privacy-cookie-purpose-anon = Protects forms against requests from other sites (CSRF) before you sign in.
privacy-cookie-purpose-lang = Remembers the language you chose.
privacy-cookie-purpose-flash = Shows a confirmation once after an action.
privacy-cookie-lifetime-session = until you sign out, at most { $hours } hours
privacy-cookie-lifetime-anon = until you close the browser
privacy-cookie-lifetime-lang = one year
privacy-cookie-lifetime-flash = until the next page
footer-impressum = Legal notice
footer-privacy = Privacy
feed-title = Innolab: challenges
challenges-feed = Subscribe as a feed (Atom)

## Personal data
account-data-title = Your data
account-data-intro = You can download everything the platform stores about you (a JSON file) and delete your account.
account-export = Download my data (JSON)
account-delete-title = Delete account
account-delete-intro = Your address, name, password, sessions, API keys and memberships are deleted; you can no longer sign in. What you wrote for your organisations (proposals, messages, reviews) stays there, without your name. You can register again with the same address later.
account-delete-confirm = Yes, I want to delete my account for good.
account-delete-confirm-required = Please confirm that you want to delete your account.
account-delete-submit = Delete account for good
account-delete-sole-owner = You are the only owner of an organisation that has other members. Please make someone else an owner first.
flash-account-erased = Your account has been deleted.
