//! Moving through a form: which page comes next or before in the web form, which
//! question in the assistant, given the answers so far. Hidden pages and fields are
//! skipped. Position `pages.len()` is the review page after the last one.

use super::answers::{holds, visible_pages, Answers};
use super::definition::FormDefinition;

/// The first shown page after `from`, or the review position.
pub fn next_page(def: &FormDefinition, answers: &Answers, from: usize) -> usize {
    let shown = visible_pages(def, answers);
    (from + 1..def.pages.len())
        .find(|i| shown[*i])
        .unwrap_or(def.pages.len())
}

/// The last shown page before `from` (which may be the review position).
pub fn previous_page(def: &FormDefinition, answers: &Answers, from: usize) -> Option<usize> {
    let shown = visible_pages(def, answers);
    (0..from.min(def.pages.len())).rev().find(|i| shown[*i])
}

/// The first shown page (the first page has no condition a definition could give it
/// that holds without answers, but a form may still start hidden).
pub fn first_page(def: &FormDefinition, answers: &Answers) -> usize {
    let shown = visible_pages(def, answers);
    (0..def.pages.len())
        .find(|i| shown[*i])
        .unwrap_or(def.pages.len())
}

/// Whether a person may open `page`: a shown page they have reached already, or the
/// review once they reached it. Anything else is a tampered address.
pub fn may_open(def: &FormDefinition, answers: &Answers, page: usize, furthest: usize) -> bool {
    if page > furthest {
        return false;
    }
    page == def.pages.len()
        || visible_pages(def, answers)
            .get(page)
            .copied()
            .unwrap_or(false)
}

/// Every shown question (page, field index) in order, statements included: the
/// assistant's script for these answers.
pub fn questions(def: &FormDefinition, answers: &Answers) -> Vec<(usize, usize)> {
    let shown = visible_pages(def, answers);
    def.pages
        .iter()
        .enumerate()
        .filter(|(i, _)| shown[*i])
        .flat_map(|(i, p)| {
            p.fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.visible_if.as_ref().is_none_or(|c| holds(c, answers)))
                .map(move |(j, _)| (i, j))
        })
        .collect()
}

/// The question after `at` (or the first one), `None` when the review comes next.
pub fn next_question(
    def: &FormDefinition,
    answers: &Answers,
    at: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let all = questions(def, answers);
    match at {
        None => all.first().copied(),
        Some(at) => all.into_iter().find(|q| *q > at),
    }
}

/// The question before `at` (`at` may be the review position).
pub fn previous_question(
    def: &FormDefinition,
    answers: &Answers,
    at: (usize, usize),
) -> Option<(usize, usize)> {
    questions(def, answers).into_iter().rev().find(|q| *q < at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def() -> FormDefinition {
        FormDefinition::from_value(&json!({"title": "T", "pages": [
            {"key": "a", "title": "A", "fields": [
                {"key": "hund", "type": "yes_no", "label": "Hund?"},
                {"key": "info", "type": "statement", "label": "Hinweis"},
                {"key": "rasse", "type": "text", "label": "Rasse", "visible_if": {"field": "hund", "equals": true}}
            ]},
            {"key": "b", "title": "B", "visible_if": {"field": "hund", "equals": true}, "fields": [
                {"key": "name", "type": "text", "label": "Name"}
            ]},
            {"key": "c", "title": "C", "fields": [{"key": "ok", "type": "consent", "label": "OK"}]}
        ]}))
        .unwrap()
    }

    fn answers(v: serde_json::Value) -> Answers {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn hidden_pages_are_skipped_both_ways() {
        let d = def();
        let none = Answers::new();
        assert_eq!(first_page(&d, &none), 0);
        assert_eq!(next_page(&d, &none, 0), 2);
        assert_eq!(next_page(&d, &none, 2), 3, "then the review");
        assert_eq!(previous_page(&d, &none, 3), Some(2));
        assert_eq!(previous_page(&d, &none, 2), Some(0));
        assert_eq!(previous_page(&d, &none, 0), None);
        let dog = answers(json!({"hund": true}));
        assert_eq!(next_page(&d, &dog, 0), 1);
    }

    #[test]
    fn pages_beyond_the_furthest_or_hidden_cannot_be_opened() {
        let d = def();
        let none = Answers::new();
        assert!(may_open(&d, &none, 0, 0));
        assert!(!may_open(&d, &none, 2, 0), "not reached yet");
        assert!(!may_open(&d, &none, 1, 3), "hidden");
        assert!(may_open(&d, &none, 3, 3), "the review, once reached");
        assert!(!may_open(&d, &none, 9, 9));
    }

    #[test]
    fn the_assistant_asks_only_shown_questions() {
        let d = def();
        let none = Answers::new();
        assert_eq!(questions(&d, &none), vec![(0, 0), (0, 1), (2, 0)]);
        let dog = answers(json!({"hund": true}));
        assert_eq!(
            questions(&d, &dog),
            vec![(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)]
        );
        assert_eq!(next_question(&d, &dog, None), Some((0, 0)));
        assert_eq!(next_question(&d, &dog, Some((0, 2))), Some((1, 0)));
        assert_eq!(next_question(&d, &dog, Some((2, 0))), None);
        assert_eq!(previous_question(&d, &none, (2, 0)), Some((0, 1)));
        assert_eq!(previous_question(&d, &none, (3, 0)), Some((2, 0)));
    }
}
