//! The form engine: one model for every structured input the platform asks for, the
//! questions a challenge adds to its proposals and the pilot forms teams run with test
//! users. Pure code: no database, no HTTP.
//!
//! - [`definition`]: the JSON format of docs/FORMS.md as types, read with a message per problem.
//! - [`answers`]: what was typed, as typed values; conditions; which pages and fields show.
//! - [`builder`]: a definition edited one field or page at a time.
//! - [`steps`]: the next and previous page or question, and which may be opened.
//! - [`view`]: what templates need to show fields, notes on conditions, and summaries.
//! - [`pdf`]: receipts as tagged, accessible PDF with an embedded font.

pub mod answers;
pub mod builder;
pub mod definition;
pub mod pdf;
pub mod steps;
pub mod view;

pub use answers::{Answers, Checked, Raw, Scope, StoredFile};
pub use definition::{Condition, Field, FieldType, FormDefinition, Page, Texts};
