//! Table definitions shared by both backends (only types both support: BigInt, Text,
//! Bool, Timestamp in UTC). Kept by hand in step with `migrations/`.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        locale -> Text,
        is_admin -> Bool,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Text,
        ip -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> BigInt,
        email -> Text,
        ip -> Text,
        success -> Bool,
        at -> Timestamp,
        settled -> Bool,
    }
}

diesel::table! {
    organisations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        kind -> Text,
        website -> Nullable<Text>,
        description -> Text,
        verified_at -> Nullable<Timestamp>,
        verified_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    challenge_status_counts (status) {
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    publisher_counts (organisation_id) {
        organisation_id -> BigInt,
        published -> BigInt,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        joined_at -> Timestamp,
        left_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        kind -> Text,
        organisation_id -> Nullable<BigInt>,
        challenge_id -> Nullable<BigInt>,
        email -> Text,
        role -> Nullable<Text>,
        expertise -> Text,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        declined_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    topics (id) {
        id -> BigInt,
        slug -> Text,
        name_de -> Text,
        name_en -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        created_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<BigInt>,
        details -> Text,
        ip -> Text,
        prev_hash -> Text,
        hash -> Text,
        format -> Integer,
        personal -> Text,
    }
}

diesel::table! {
    challenges (id) {
        id -> BigInt,
        slug -> Text,
        organisation_id -> BigInt,
        title -> Text,
        summary -> Text,
        description -> Text,
        language -> Text,
        eligibility -> Text,
        level -> Text,
        region -> Text,
        budget_eur -> Nullable<BigInt>,
        submission_deadline -> Timestamp,
        contact -> Text,
        proposal_visibility -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submission_form_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    challenge_topics (challenge_id, topic_id) {
        challenge_id -> BigInt,
        topic_id -> BigInt,
    }
}

diesel::table! {
    stages (id) {
        id -> BigInt,
        challenge_id -> BigInt,
        position -> BigInt,
        name -> Text,
        kind -> Text,
        reviewers_per_proposal -> BigInt,
        blind -> Bool,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        status -> Text,
        released_at -> Nullable<Timestamp>,
        scores_released -> Bool,
    }
}

diesel::table! {
    criteria (id) {
        id -> BigInt,
        stage_id -> BigInt,
        position -> BigInt,
        name -> Text,
        description -> Text,
        weight -> Double,
        scale_min -> BigInt,
        scale_max -> BigInt,
        comment_required -> Bool,
        labels -> Text,
    }
}

diesel::table! {
    follows (user_id, challenge_id) {
        user_id -> BigInt,
        challenge_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    questions (id) {
        id -> BigInt,
        challenge_id -> BigInt,
        asker_id -> Nullable<BigInt>,
        body -> Text,
        status -> Text,
        answer -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        answered_by -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_by -> Nullable<BigInt>,
        hidden_reason -> Nullable<Text>,
        follow_key_hash -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    proposals (id) {
        id -> BigInt,
        challenge_id -> BigInt,
        organisation_id -> BigInt,
        title -> Text,
        summary -> Text,
        approach -> Text,
        team -> Text,
        pilot_scope -> Text,
        pilot_duration -> Text,
        pilot_kpis -> Text,
        cost_estimate_eur -> Nullable<BigInt>,
        data_protection -> Text,
        licence -> Text,
        answers -> Text,
        status -> Text,
        revision -> BigInt,
        submitted_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        form_version_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    proposal_revisions (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        number -> BigInt,
        snapshot -> Text,
        note -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        owner_type -> Text,
        owner_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        storage_name -> Text,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        author_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        link -> Text,
        subject -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    challenge_reminders (challenge_id) {
        challenge_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    rate_events (id) {
        id -> BigInt,
        bucket -> Text,
        subject -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    search_outbox (id) {
        id -> BigInt,
        kind -> Text,
        record_id -> BigInt,
        tx_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluators (id) {
        id -> BigInt,
        challenge_id -> BigInt,
        user_id -> BigInt,
        expertise -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    conflicts (id) {
        id -> BigInt,
        evaluator_id -> BigInt,
        organisation_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stage_entries (id) {
        id -> BigInt,
        stage_id -> BigInt,
        proposal_id -> BigInt,
        outcome -> Nullable<Text>,
        feedback -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assignments (id) {
        id -> BigInt,
        stage_id -> BigInt,
        proposal_id -> BigInt,
        evaluator_id -> BigInt,
        created_at -> Timestamp,
        declined_at -> Nullable<Timestamp>,
        decline_reason -> Text,
    }
}

diesel::table! {
    reviews (assignment_id) {
        assignment_id -> BigInt,
        scores -> Text,
        comments -> Text,
        comment -> Text,
        confidence -> Nullable<BigInt>,
        score -> Nullable<Double>,
        submitted_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    clarifications (id) {
        id -> BigInt,
        stage_id -> BigInt,
        proposal_id -> BigInt,
        question -> Text,
        asked_by -> Nullable<BigInt>,
        asked_at -> Timestamp,
        due_at -> Timestamp,
        answer -> Nullable<Text>,
        answered_by -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_posts (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        author_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forms (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        title -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    form_versions (id) {
        id -> BigInt,
        form_id -> BigInt,
        version -> BigInt,
        definition -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pilots (id) {
        id -> BigInt,
        proposal_id -> BigInt,
        form_id -> BigInt,
        slug -> Text,
        mode -> Text,
        title -> Text,
        intro -> Text,
        consent_text -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        retention_days -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    pilot_runs (id) {
        id -> BigInt,
        pilot_id -> BigInt,
        form_version_id -> BigInt,
        token_hash -> Text,
        answers -> Text,
        page -> BigInt,
        question -> BigInt,
        furthest -> BigInt,
        started_at -> Timestamp,
        updated_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        refused -> BigInt,
    }
}

diesel::table! {
    pilot_submissions (id) {
        id -> BigInt,
        pilot_id -> BigInt,
        run_id -> BigInt,
        form_version_id -> BigInt,
        reference -> Text,
        receipt_hash -> Text,
        answers -> Text,
        submitted_at -> Timestamp,
        seconds -> BigInt,
        rating -> Nullable<BigInt>,
        rating_comment -> Text,
        purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pilot_files (id) {
        id -> BigInt,
        run_id -> BigInt,
        field_key -> Text,
        storage_name -> Text,
        file_name -> Text,
        content_type -> Text,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pilot_field_errors (id) {
        id -> BigInt,
        pilot_id -> BigInt,
        field_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pilot_webhooks (id) {
        id -> BigInt,
        pilot_id -> BigInt,
        url -> Text,
        secret -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        submission_id -> BigInt,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_status -> Nullable<BigInt>,
        last_error -> Text,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<BigInt>,
        error -> Text,
        duration_ms -> BigInt,
    }
}

diesel::table! {
    file_chunks (storage_name, seq) {
        storage_name -> Text,
        seq -> Integer,
        bytes -> Binary,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(invitations -> organisations (organisation_id));
diesel::joinable!(challenges -> organisations (organisation_id));
diesel::joinable!(publisher_counts -> organisations (organisation_id));
diesel::joinable!(challenge_topics -> challenges (challenge_id));
diesel::joinable!(challenge_topics -> topics (topic_id));
diesel::joinable!(stages -> challenges (challenge_id));
diesel::joinable!(criteria -> stages (stage_id));
diesel::joinable!(follows -> challenges (challenge_id));
diesel::joinable!(questions -> challenges (challenge_id));
diesel::joinable!(proposals -> challenges (challenge_id));
diesel::joinable!(proposals -> organisations (organisation_id));
diesel::joinable!(proposal_revisions -> proposals (proposal_id));
diesel::joinable!(messages -> proposals (proposal_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(evaluators -> challenges (challenge_id));
diesel::joinable!(evaluators -> users (user_id));
diesel::joinable!(conflicts -> evaluators (evaluator_id));
diesel::joinable!(stage_entries -> stages (stage_id));
diesel::joinable!(stage_entries -> proposals (proposal_id));
diesel::joinable!(assignments -> stages (stage_id));
diesel::joinable!(assignments -> proposals (proposal_id));
diesel::joinable!(assignments -> evaluators (evaluator_id));
diesel::joinable!(reviews -> assignments (assignment_id));
diesel::joinable!(clarifications -> stages (stage_id));
diesel::joinable!(clarifications -> proposals (proposal_id));
diesel::joinable!(review_posts -> proposals (proposal_id));
diesel::joinable!(forms -> organisations (organisation_id));
diesel::joinable!(form_versions -> forms (form_id));
diesel::joinable!(pilots -> proposals (proposal_id));
diesel::joinable!(pilots -> forms (form_id));
diesel::joinable!(pilot_runs -> pilots (pilot_id));
diesel::joinable!(pilot_runs -> form_versions (form_version_id));
diesel::joinable!(pilot_submissions -> pilots (pilot_id));
diesel::joinable!(pilot_submissions -> pilot_runs (run_id));
diesel::joinable!(pilot_submissions -> form_versions (form_version_id));
diesel::joinable!(pilot_files -> pilot_runs (run_id));
diesel::joinable!(pilot_webhooks -> pilots (pilot_id));
diesel::joinable!(webhook_deliveries -> pilot_webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> pilot_submissions (submission_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    file_chunks,
    users,
    sessions,
    api_tokens,
    email_tokens,
    login_attempts,
    organisations,
    publisher_counts,
    memberships,
    invitations,
    topics,
    audit_log,
    challenges,
    challenge_status_counts,
    challenge_topics,
    stages,
    criteria,
    follows,
    questions,
    proposals,
    proposal_revisions,
    attachments,
    messages,
    notifications,
    rate_events,
    challenge_reminders,
    search_outbox,
    evaluators,
    conflicts,
    stage_entries,
    assignments,
    reviews,
    clarifications,
    review_posts,
    forms,
    form_versions,
    pilots,
    pilot_runs,
    pilot_submissions,
    pilot_files,
    pilot_field_errors,
    pilot_webhooks,
    webhook_deliveries,
    webhook_attempts,
);
