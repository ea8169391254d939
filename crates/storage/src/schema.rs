//! Diesel table definitions, written by hand for both backends (one schema,
//! column types that mean the same on SQLite and PostgreSQL). Only the tables
//! the code reads or writes are declared; the migrations hold the whole model.

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        language -> Text,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_groups (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        restrict_assignees -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> BigInt,
        user_id -> BigInt,
        manager -> Bool,
    }
}

diesel::table! {
    statuses (id) {
        id -> BigInt,
        name -> Text,
        category -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    org_settings (id) {
        id -> BigInt,
        name -> Text,
        agents_may_close -> Bool,
        comment_required_on_update -> Bool,
        inbound_email_status_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_types (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        show_summary -> Bool,
        show_survey -> Bool,
        active -> Bool,
        fields -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    root_causes (id) {
        id -> BigInt,
        ticket_type_id -> BigInt,
        name -> Text,
        active -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    root_cause_rules (ticket_type_id, status_id) {
        ticket_type_id -> BigInt,
        status_id -> BigInt,
        rule -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        phone -> Nullable<Text>,
        language -> Nullable<Text>,
        subscribed -> Bool,
        external_ref -> Nullable<Text>,
        attributes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        number -> BigInt,
        subject -> Text,
        description -> Text,
        type_id -> Nullable<BigInt>,
        priority -> SmallInt,
        status_id -> BigInt,
        status_category -> Text,
        root_cause_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        origin_group_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        parent_id -> Nullable<BigInt>,
        parent_owner_id -> Nullable<BigInt>,
        parent_group_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
        requester_email -> Nullable<Text>,
        source -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        summary_score -> Nullable<Integer>,
        summary_comment -> Nullable<Text>,
        custom_fields -> Text,
        is_public -> Bool,
        closed_at -> Nullable<Timestamp>,
        created_by_user -> Nullable<BigInt>,
        created_by_token -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        snooze_until -> Nullable<Timestamp>,
        snooze_status_id -> Nullable<BigInt>,
        survey_response_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    ticket_imports (external_id) {
        external_id -> Text,
        ticket_id -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    ticket_tags (ticket_id, tag) {
        ticket_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        author_id -> Nullable<BigInt>,
        author_token_id -> Nullable<BigInt>,
        body -> Text,
        internal -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    history (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_token_id -> Nullable<BigInt>,
        actor_name -> Text,
        field -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        comment_id -> Nullable<BigInt>,
        old_id -> Nullable<BigInt>,
        new_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        kind -> Text,
        ticket_id -> Nullable<BigInt>,
        actor -> Text,
        data -> Text,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        state -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        lease -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (principal, idem_key) {
        principal -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> SmallInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    touchpoints (id) {
        id -> BigInt,
        contact_id -> BigInt,
        kind -> Text,
        channel -> Nullable<Text>,
        title -> Text,
        payload -> Text,
        ticket_id -> Nullable<BigInt>,
        survey_response_id -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_responses (id) {
        id -> BigInt,
        contact_id -> Nullable<BigInt>,
        /// The survey's id at the source.
        survey -> Text,
        /// NPS, 0-10.
        score -> Nullable<Integer>,
        comment -> Nullable<Text>,
        answers -> Text,
        received_at -> Timestamp,
        survey_name -> Nullable<Text>,
        external_id -> Nullable<Text>,
        csat -> Nullable<Integer>,
        ces -> Nullable<Integer>,
        embedded -> Text,
        submitted_at -> Nullable<Timestamp>,
        request_hash -> Nullable<Text>,
        outcome -> Text,
        created_by_token -> Nullable<BigInt>,
    }
}

diesel::table! {
    alert_rules (id) {
        id -> BigInt,
        name -> Text,
        enabled -> Bool,
        position -> Integer,
        stop_on_match -> Bool,
        record_only -> Bool,
        conditions -> Text,
        ticket_type_id -> Nullable<BigInt>,
        priority -> SmallInt,
        group_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        status_id -> Nullable<BigInt>,
        subject_template -> Text,
        summary_score -> Nullable<Text>,
        summary_comment -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(group_members -> ticket_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(root_causes -> ticket_types (ticket_type_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(comments -> tickets (ticket_id));
diesel::joinable!(history -> tickets (ticket_id));
diesel::joinable!(ticket_tags -> tickets (ticket_id));

diesel::allow_tables_to_appear_in_same_query!(
    counters,
    users,
    sessions,
    api_tokens,
    ticket_groups,
    group_members,
    statuses,
    org_settings,
    ticket_types,
    root_causes,
    root_cause_rules,
    contacts,
    tickets,
    ticket_tags,
    comments,
    history,
    idempotency_keys,
    touchpoints,
    survey_responses,
    alert_rules,
    ticket_imports,
);
