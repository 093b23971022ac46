-- Portable between H2 (2.x) and PostgreSQL (14+): no vendor types, no vendor functions.
create table functions (
    id          uuid primary key,
    name        varchar(128) not null,
    description varchar(1024),
    created_at  timestamp with time zone not null
);

create table function_versions (
    id                      uuid primary key,
    function_id             uuid not null references functions (id) on delete cascade,
    status                  varchar(16) not null,
    inference_protocol      varchar(8) not null,
    inference_url           varchar(1024),
    health_protocol         varchar(8) not null,
    health_uri              varchar(1024),
    max_request_concurrency integer not null,
    created_at              timestamp with time zone not null
);
create index function_versions_function_id on function_versions (function_id);

-- A worker endpoint. Listed in a deployment (no expiry) or self-registered (expires unless renewed).
create table function_instances (
    version_id    uuid not null references function_versions (id) on delete cascade,
    id            varchar(128) not null,
    address       varchar(300) not null,
    use_tls       boolean not null,
    registered_at timestamp with time zone not null,
    expires_at    timestamp with time zone,
    primary key (version_id, id)
);

create table api_keys (
    id         uuid primary key,
    name       varchar(128) not null,
    key_hash   varchar(64) not null unique,
    scopes     varchar(512) not null,
    functions  varchar(65536) not null,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone not null
);
