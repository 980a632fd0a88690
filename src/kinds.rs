//! The closed sets of values the database columns hold: kinds, roles and statuses.
//!
//! Only the database layer is below this module: the policy, the domain, search and the
//! web all name these values, and none of them owns them. Each type is stored as text; the column's
//! `CHECK` constraint and [`FromSql`] agree on the spelling, and a value outside the set is
//! an error when it is read, never silently replaced by a default. The state machines that
//! move between the statuses live with their aggregates in `domain`.

use std::fmt;

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

/// The backend every query is written against (one for SQLite and PostgreSQL).
type Db = <crate::db::DbConnection as diesel::Connection>::Backend;

/// Reads and writes `$name` as text through `$backend`: an unknown spelling is an error.
macro_rules! text_sql {
    ($name:ident, $backend:ty) => {
        impl FromSql<Text, $backend> for $name {
            fn from_sql(
                bytes: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, $backend>>::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!(concat!("{:?} is not a ", stringify!($name)), text).into()
                })
            }
        }

        impl ToSql<Text, $backend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                <str as ToSql<Text, $backend>>::to_sql(self.as_str(), out)
            }
        }
    };
}

/// Declares an enum stored as text: its spelling in the column, in JSON and in forms is
/// the literal given for each variant.
macro_rules! column_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order forms and filters offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling in the column, in JSON and in query strings.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value spelled `s`, or `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        text_sql!($name, Db);
        // Inserts of several rows are written per backend, so the backends need it too.
        text_sql!($name, diesel::sqlite::Sqlite);
        text_sql!($name, diesel::pg::Pg);
    };
}

column_enum! {
    /// What kind of organisation: agencies publish challenges, the others propose.
    OrgKind {
        /// A public body: publishes challenges.
        Agency = "agency",
        /// A young company: proposes.
        Startup = "startup",
        /// A civil-society group or association: proposes.
        CivilSociety = "civil_society",
        /// A research team or institute: proposes.
        Research = "research",
    }
}

column_enum! {
    /// A member's role in an organisation: owners manage members and settings.
    Role {
        /// Manages members and settings besides what a member may do.
        Owner = "owner",
        /// Works in the organisation without managing it.
        Member = "member",
    }
}

column_enum! {
    /// What an invitation admits to.
    InvitationKind {
        /// Membership of an organisation, with a role.
        Organisation = "organisation",
        /// The evaluator pool of a challenge.
        Evaluator = "evaluator",
    }
}

column_enum! {
    /// What a mailed one-time link is for.
    TokenPurpose {
        /// Confirms the address of a new account.
        Verify = "verify",
        /// Sets a new password for a forgotten one.
        Reset = "reset",
    }
}

column_enum! {
    /// The administrative level of the agency that publishes a challenge.
    Level {
        /// The federal level.
        Bund = "bund",
        /// A federal state.
        Land = "land",
        /// A municipality or district.
        Kommune = "kommune",
    }
}

column_enum! {
    /// Whether a challenge's submitted proposals become public.
    ProposalVisibility {
        /// Only team, agency and evaluators ever read them.
        Private = "private",
        /// Their public part is published once the submission deadline has passed.
        PublicAfterDeadline = "public_after_deadline",
    }
}

column_enum! {
    /// A challenge's place in its life (the transitions are in `domain::challenges`).
    ChallengeStatus {
        /// Being prepared: not yet public.
        Draft = "draft",
        /// Published and taking proposals.
        Open = "open",
        /// Published, no longer taking proposals; not yet evaluated.
        Closed = "closed",
        /// Its evaluation stages are under way.
        Evaluating = "evaluating",
        /// The evaluation is over.
        Concluded = "concluded",
        /// Put away after it closed or concluded; still public.
        Archived = "archived",
    }
}

impl ChallengeStatus {
    /// The statuses visitors can see.
    pub const PUBLIC: [ChallengeStatus; 5] = [
        ChallengeStatus::Open,
        ChallengeStatus::Closed,
        ChallengeStatus::Evaluating,
        ChallengeStatus::Concluded,
        ChallengeStatus::Archived,
    ];

    /// Everything but a draft has been published.
    pub fn is_published(self) -> bool {
        self != ChallengeStatus::Draft
    }
}

column_enum! {
    /// A proposal's place in its life.
    ProposalStatus {
        /// Being written: only the team sees it.
        Draft = "draft",
        /// Handed in to the agency.
        Submitted = "submitted",
        /// Taken back by the team after submitting; it may reopen it before the deadline.
        Withdrawn = "withdrawn",
    }
}

column_enum! {
    /// What an evaluation stage does.
    StageKind {
        /// Evaluators score against the rubric.
        Review = "review",
        /// The agency checks the formal requirements.
        Eligibility = "eligibility",
    }
}

column_enum! {
    /// A stage's place in the evaluation (the rules are in `domain::evaluation::workflow`).
    StageStatus {
        /// Set up, not yet started.
        Planned = "planned",
        /// Under way: reviews and decisions are being made.
        Running = "running",
        /// Finished: every decision is final and the teams learn their outcome.
        Released = "released",
    }
}

column_enum! {
    /// The agency's decision on one proposal in one stage.
    Outcome {
        /// On to the next stage; in the last stage, selected.
        Advance = "advance",
        /// Out of the evaluation.
        Reject = "reject",
        /// Kept aside: neither advanced nor rejected.
        Shelve = "shelve",
    }
}

column_enum! {
    /// Where a question to the agency stands.
    QuestionStatus {
        /// Asked and not yet handled by the agency.
        Open = "open",
        /// Answered publicly by the agency.
        Answered = "answered",
        /// Not answered; the agency gave a reason.
        Declined = "declined",
    }
}

column_enum! {
    /// What an attachment belongs to.
    AttachmentOwner {
        /// Attached to a challenge by its agency.
        Challenge = "challenge",
        /// Attached to a proposal by its team.
        Proposal = "proposal",
    }
}

column_enum! {
    /// How a pilot asks its questions.
    PilotMode {
        /// Pages with back and next, a review page, then sending.
        Web = "web",
        /// One question at a time in a conversation.
        Assistant = "assistant",
    }
}

column_enum! {
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting for its next attempt.
        Pending = "pending",
        /// An attempt was answered with a 2xx status.
        Delivered = "delivered",
        /// Given up after retrying for too long.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spelling round-trips for every value, and JSON uses the column's spelling.
    #[test]
    fn every_value_parses_from_its_own_spelling() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(*k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for s in ChallengeStatus::ALL {
            assert_eq!(ChallengeStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            serde_json::to_value(ProposalVisibility::PublicAfterDeadline).unwrap(),
            "public_after_deadline"
        );
        assert_eq!(OrgKind::parse("Agency"), None);
        assert_eq!(ProposalStatus::parse(""), None);
    }
}
