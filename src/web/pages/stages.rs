//! The stage editor: a challenge's ordered stages and their rubric criteria, edited in one
//! plain form (no JavaScript): every stage and criterion has its row, an empty row adds
//! one, a checkbox removes one, a number orders the stages.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};

use crate::auth::policy::Action;
use crate::domain::evaluation::stages::{CriterionInput, StageInput};
use crate::domain::time;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// The stage editor of a challenge.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges/{slug}/stages", web::get().to(edit_form))
        .route("/challenges/{slug}/stages", web::post().to(save));
}

/// Reads the rows of the form into stage inputs, in the chosen order, skipping empty and
/// removed rows.
fn parse(fields: &HashMap<String, String>) -> Vec<StageInput> {
    let get = |k: String| {
        fields
            .get(&k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let on = |k: String| fields.contains_key(&k);
    let mut stages: Vec<(i64, usize, StageInput)> = Vec::new();
    for i in 0..20usize {
        let name = get(format!("stage_{i}_name"));
        if name.is_empty() || on(format!("stage_{i}_remove")) {
            continue;
        }
        let mut criteria = Vec::new();
        for j in 0..40usize {
            let cname = get(format!("stage_{i}_crit_{j}_name"));
            if cname.is_empty() || on(format!("stage_{i}_crit_{j}_remove")) {
                continue;
            }
            let num = |k: &str| get(format!("stage_{i}_crit_{j}_{k}"));
            criteria.push(CriterionInput {
                name: cname,
                description: num("description"),
                // Unreadable numbers become values the validation refuses with a message.
                weight: num("weight")
                    .replace(',', ".")
                    .parse()
                    .unwrap_or(if num("weight").is_empty() { 1.0 } else { -1.0 }),
                scale_min: Some(
                    num("scale_min")
                        .parse()
                        .unwrap_or(if num("scale_min").is_empty() { 1 } else { -1 }),
                ),
                scale_max: Some(
                    num("scale_max")
                        .parse()
                        .unwrap_or(if num("scale_max").is_empty() { 5 } else { -1 }),
                ),
                comment_required: on(format!("stage_{i}_crit_{j}_comment_required")),
                labels: num("labels")
                    .split(';')
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect(),
            });
        }
        let position = get(format!("stage_{i}_position"))
            .parse()
            .unwrap_or(i as i64 + 1);
        let optional = |k: &str| Some(get(format!("stage_{i}_{k}"))).filter(|v| !v.is_empty());
        stages.push((
            position,
            i,
            StageInput {
                name,
                kind: optional("kind"),
                reviewers_per_proposal: get(format!("stage_{i}_reviewers")).parse().unwrap_or(0),
                blind: on(format!("stage_{i}_blind")),
                starts_at: optional("starts_at"),
                ends_at: optional("ends_at"),
                criteria,
            },
        ));
    }
    stages.sort_by_key(|(position, i, _)| (*position, *i));
    stages.into_iter().map(|(_, _, s)| s).collect()
}

/// The view of stages for the form, each with an empty row to add a criterion, plus an
/// empty stage; `errors` marks the fields with problems.
fn rows(stages: &[StageInput], errors: &FieldErrors, lang: i18n::Lang) -> Value {
    let err = |path: String| errors.get(&path).map(|id| i18n::text(lang, id));
    let mut out: Vec<Value> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut crits: Vec<Value> = s
                .criteria
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let p = format!("stages[{i}].criteria[{j}]");
                    json!({
                        "index": j, "name": c.name, "description": c.description, "weight": c.weight,
                        "scale_min": c.scale_min, "scale_max": c.scale_max, "comment_required": c.comment_required,
                        "labels": c.labels.join("; "),
                        "error_name": err(format!("{p}.name")), "error_weight": err(format!("{p}.weight")), "error_scale": err(format!("{p}.scale_max")),
                        "error_labels": err(format!("{p}.labels")),
                    })
                })
                .collect();
            crits.push(json!({ "index": s.criteria.len(), "new": true, "weight": 1, "scale_min": 1, "scale_max": 5 }));
            json!({
                "index": i, "position": i + 1, "name": s.name, "kind": s.kind.clone().unwrap_or_else(|| "review".into()),
                "reviewers": s.reviewers_per_proposal, "blind": s.blind,
                "starts_at": s.starts_at, "ends_at": s.ends_at, "criteria": crits,
                "error_name": err(format!("stages[{i}].name")), "error_reviewers": err(format!("stages[{i}].reviewers_per_proposal")),
                "error_blind": err(format!("stages[{i}].blind")),
            })
        })
        .collect();
    out.push(json!({ "index": stages.len(), "position": stages.len() + 1, "new": true, "kind": "review", "reviewers": 2, "blind": false,
        "criteria": [{ "index": 0, "new": true, "weight": 1, "scale_min": 1, "scale_max": 5 }] }));
    Value::Array(out)
}

async fn edit_form(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let cid = c.id;
    let current = ctx
        .db(move |conn| crate::domain::evaluation::stages::stages_of(conn, cid))
        .await?;
    let inputs: Vec<StageInput> = current
        .iter()
        .map(|s| StageInput {
            name: s.stage.name.clone(),
            kind: Some(s.stage.kind.to_string()),
            reviewers_per_proposal: s.stage.reviewers_per_proposal,
            blind: s.stage.blind,
            starts_at: s.stage.starts_at.map(time::to_local_input),
            ends_at: s.stage.ends_at.map(time::to_local_input),
            criteria: s
                .criteria
                .iter()
                .map(|k| CriterionInput {
                    name: k.name.clone(),
                    description: k.description.clone(),
                    weight: k.weight,
                    scale_min: Some(k.scale_min),
                    scale_max: Some(k.scale_max),
                    comment_required: k.comment_required,
                    labels: k.labels.lines().map(str::to_string).collect(),
                })
                .collect(),
        })
        .collect();
    render::page(
        &ctx,
        "challenge_stages",
        "stages-title",
        json!({ "challenge": { "slug": c.slug, "title": c.title }, "stages": rows(&inputs, &FieldErrors::new(), ctx.lang) }),
    )
}

async fn save(
    form: CsrfForm<HashMap<String, String>>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let stages = parse(&data);
    match actions::challenges::replace_stages(&ctx, &c, &f, stages.clone()).await {
        Ok(_) => Ok(render::redirect_with(
            &format!("/challenges/{}#stages-title", c.slug),
            "success",
            "flash-stages-saved",
        )),
        Err(AppError::Validation(errors)) => {
            // The summary names stage and criterion, so that each message says where.
            let list: Vec<Value> = errors
                .iter()
                .map(|(path, m)| json!({ "field": path, "link": true, "message": format!("{}: {}", describe(path, ctx.lang), m.text(ctx.lang)) }))
                .collect();
            let mut data = Map::new();
            data.insert(
                "challenge".into(),
                json!({ "slug": c.slug, "title": c.title }),
            );
            data.insert("stages".into(), rows(&stages, &errors, ctx.lang));
            data.insert("error_list".into(), Value::Array(list));
            let title = format!(
                "{}: {}",
                ctx.t("error-summary-prefix"),
                ctx.t("stages-title")
            );
            render::page_status(
                &ctx,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "challenge_stages",
                &title,
                Value::Object(data),
            )
        }
        Err(e) => Err(e),
    }
}

/// "stages[1].criteria[0].weight" -> "Stufe 2, Kriterium 1".
fn describe(path: &str, lang: i18n::Lang) -> String {
    let numbers: Vec<usize> = path
        .split(['[', ']'])
        .filter_map(|p| p.parse::<usize>().ok())
        .collect();
    match numbers.as_slice() {
        [s, c, ..] => i18n::text_with(
            lang,
            "stages-where-criterion",
            &[
                ("stage", (s + 1).to_string()),
                ("criterion", (c + 1).to_string()),
            ],
        ),
        [s] => i18n::text_with(
            lang,
            "stages-where-stage",
            &[("stage", (s + 1).to_string())],
        ),
        _ => i18n::text(lang, "stages-title"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_become_ordered_stages_and_empty_or_removed_rows_vanish() {
        let f = form(&[
            ("stage_0_name", "Bewertung"),
            ("stage_0_position", "2"),
            ("stage_0_reviewers", "3"),
            ("stage_0_blind", "1"),
            ("stage_0_crit_0_name", "Wirkung"),
            ("stage_0_crit_0_weight", "0,5"),
            ("stage_0_crit_1_name", "Weg damit"),
            ("stage_0_crit_1_remove", "1"),
            ("stage_0_crit_2_name", ""),
            ("stage_1_name", "Formale Prüfung"),
            ("stage_1_position", "1"),
            ("stage_1_kind", "eligibility"),
            ("stage_1_reviewers", "1"),
            ("stage_2_name", "Gelöscht"),
            ("stage_2_remove", "1"),
        ]);
        let s = parse(&f);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "Formale Prüfung");
        assert_eq!(s[1].name, "Bewertung");
        assert!(s[1].blind);
        assert_eq!(s[1].criteria.len(), 1);
        assert_eq!(s[1].criteria[0].weight, 0.5);
        assert_eq!(
            describe("stages[1].criteria[0].weight", i18n::Lang::De),
            "Stufe 2, Kriterium 1"
        );
    }
}
