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
        names -> Text,
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
        names -> Text,
    }
}

diesel::table! {
    org_settings (id) {
        id -> BigInt,
        name -> Text,
        agents_may_close -> Bool,
        comment_required_on_update -> Bool,
        inbound_email_status_id -> Nullable<BigInt>,
        sources -> Text,
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
        names -> Text,
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
        names -> Text,
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
    /// Per-status counts by creation day and the follow-up page's filter
    /// columns, kept by triggers (migration 000009); NULL ids are 0, a NULL
    /// source ''.
    ticket_counts (day, status_id, status_category, priority, owner_id, group_id, parent_owner_id, parent_group_id, type_id, source) {
        day -> BigInt,
        status_id -> BigInt,
        status_category -> Text,
        priority -> SmallInt,
        owner_id -> BigInt,
        group_id -> BigInt,
        parent_owner_id -> BigInt,
        parent_group_id -> BigInt,
        type_id -> BigInt,
        source -> Text,
        n -> Integer,
    }
}

diesel::table! {
    /// `ticket_counts` summed per UTC calendar month (`month`: months since
    /// 1970-01), kept from it by triggers (migration 000012).
    ticket_month_counts (month, status_id, status_category, priority, owner_id, group_id, parent_owner_id, parent_group_id, type_id, source) {
        month -> BigInt,
        status_id -> BigInt,
        status_category -> Text,
        priority -> SmallInt,
        owner_id -> BigInt,
        group_id -> BigInt,
        parent_owner_id -> BigInt,
        parent_group_id -> BigInt,
        type_id -> BigInt,
        source -> Text,
        n -> Integer,
    }
}

diesel::table! {
    /// Changes to `ticket_counts` not folded in yet (PostgreSQL's triggers
    /// append here; SQLite's upsert the rollup directly).
    ticket_count_deltas (id) {
        id -> BigInt,
        day -> BigInt,
        status_id -> BigInt,
        status_category -> Text,
        priority -> SmallInt,
        owner_id -> BigInt,
        group_id -> BigInt,
        parent_owner_id -> BigInt,
        parent_group_id -> BigInt,
        type_id -> BigInt,
        source -> Text,
        n -> Integer,
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
        position -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        description -> Text,
        event_types -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        msg_id -> Text,
        event_type -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status -> Nullable<Integer>,
        latency_ms -> Integer,
        response -> Nullable<Text>,
        error -> Nullable<Text>,
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

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        ticket_id -> Nullable<BigInt>,
        event_id -> BigInt,
        kind -> Text,
        title -> Text,
        detail -> Text,
        actor -> Text,
        in_app -> Bool,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        emailed_at -> Nullable<Timestamp>,
        detail_data -> Nullable<Text>,
    }
}

diesel::table! {
    notification_prefs (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        in_app -> Bool,
        email -> Bool,
    }
}

diesel::joinable!(group_members -> ticket_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(root_causes -> ticket_types (ticket_type_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(comments -> tickets (ticket_id));
diesel::joinable!(history -> tickets (ticket_id));
diesel::joinable!(ticket_tags -> tickets (ticket_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    email_templates (id) {
        id -> BigInt,
        name -> Text,
        language -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    inbound_messages (id) {
        id -> BigInt,
        sha256 -> Text,
        raw -> Binary,
        size_bytes -> BigInt,
        source -> Text,
        message_id -> Nullable<Text>,
        from_addr -> Nullable<Text>,
        subject -> Nullable<Text>,
        outcome -> Text,
        parse_error -> Nullable<Text>,
        ticket_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    emails (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        direction -> Text,
        state -> Text,
        from_addr -> Text,
        to_addr -> Text,
        reply_to -> Nullable<Text>,
        subject -> Text,
        body -> Text,
        message_id -> Text,
        in_reply_to -> Nullable<Text>,
        refs -> Text,
        template_id -> Nullable<BigInt>,
        sent_by -> Nullable<BigInt>,
        inbound_id -> Nullable<BigInt>,
        attempts -> Integer,
        smtp_answer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    inbound_attachments (id) {
        id -> BigInt,
        inbound_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        content -> Binary,
    }
}

// Ticket attachments and the content-addressed bytes behind them.
diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        size_bytes -> BigInt,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        comment_id -> Nullable<BigInt>,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Nullable<BigInt>,
        uploaded_by_token -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_suppressions (email) {
        email -> Text,
        reason -> Text,
        inbound_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    imap_state (mailbox) {
        mailbox -> Text,
        uidvalidity -> BigInt,
        last_uid -> BigInt,
        last_poll_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_links (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        other_ticket_id -> BigInt,
        kind -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(emails -> tickets (ticket_id));
diesel::joinable!(inbound_attachments -> inbound_messages (inbound_id));
diesel::joinable!(attachments -> blobs (sha256));

diesel::allow_tables_to_appear_in_same_query!(
    counters,
    ticket_links,
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
    events,
    jobs,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    notifications,
    notification_prefs,
    touchpoints,
    survey_responses,
    alert_rules,
    email_templates,
    inbound_messages,
    emails,
    inbound_attachments,
    blobs,
    attachments,
    email_suppressions,
    imap_state,
    ticket_imports,
);
