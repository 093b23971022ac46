-- Portable between H2 (2.x) and PostgreSQL (14+): no vendor types, no vendor functions.

-- Secrets every replica shares, created by the first replica that starts (session-id: signs nvcf-reqid values).
create table gateway_secrets (
    name       varchar(64) primary key,
    secret     varchar(128) not null,
    created_at timestamp with time zone not null
);

-- Long-running HTTP calls (202 and poll): any replica may answer the poll, for as long as the row lives.
create table poll_results (
    request_id   varchar(200) primary key,
    key_id       uuid not null,
    state        varchar(16) not null,
    http_status  integer,
    content_type varchar(256),
    body         bytea,
    created_at   timestamp with time zone not null,
    expires_at   timestamp with time zone not null
);
create index poll_results_expires_at on poll_results (expires_at);
