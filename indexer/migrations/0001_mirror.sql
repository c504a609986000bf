-- 0001: the mirror of the chain (blocks, transactions, events, current
-- state), the plaintext member contacts of signed sync, the audit log and
-- the reader roles. Every table but member_contacts and sync_audit can be
-- rebuilt from the chain. Later modules (governance: proposals, votes;
-- mesh: executors, jobs, bids, receipts) add their tables in migrations of
-- their own (0002_..., 0003_...), never by editing this file.

-- One row: which chain is mirrored and the last height whose block was
-- applied, written in the same transaction as that block.
CREATE TABLE indexer_state (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    chain_id    text    NOT NULL,
    last_height bigint  NOT NULL
);

CREATE TABLE blocks (
    height   bigint      PRIMARY KEY,
    hash     text        NOT NULL,
    time     timestamptz NOT NULL,
    proposer text        NOT NULL,
    app_hash text        NOT NULL,
    num_txs  integer     NOT NULL
);

CREATE TABLE txs (
    hash      text    PRIMARY KEY,
    height    bigint  NOT NULL REFERENCES blocks (height),
    idx       integer NOT NULL,
    signer    text    NOT NULL,
    key_id    text    NOT NULL,
    sequence  numeric(20, 0) NOT NULL,
    msgs      text[]  NOT NULL,
    memo      text    NOT NULL,
    code      integer NOT NULL,
    codespace text    NOT NULL,
    log       text    NOT NULL,
    gas_used  bigint  NOT NULL,
    size      integer NOT NULL,
    UNIQUE (height, idx)
);
CREATE INDEX txs_signer ON txs (signer, height);

-- tx_idx is -1 for the block's own events (block-end hooks).
CREATE TABLE events (
    height bigint  NOT NULL REFERENCES blocks (height),
    tx_idx integer NOT NULL,
    idx    integer NOT NULL,
    type   text    NOT NULL,
    attrs  jsonb   NOT NULL,
    PRIMARY KEY (height, tx_idx, idx)
);
CREATE INDEX events_type ON events (type, height);
CREATE INDEX events_attrs ON events USING gin (attrs jsonb_path_ops);

-- Current state, each row as of the height in its "height" column: the
-- last height at which the indexer read it from the chain.
CREATE TABLE dids (
    did                text    PRIMARY KEY,
    registered_by      text    NOT NULL,
    created_height     bigint  NOT NULL,
    updated_height     bigint  NOT NULL,
    deactivated_height bigint  NOT NULL,
    controllers        text[]  NOT NULL,
    height             bigint  NOT NULL
);

CREATE TABLE did_keys (
    did            text   NOT NULL REFERENCES dids (did) ON DELETE CASCADE,
    key_id         text   NOT NULL,
    public_key     bytea  NOT NULL,
    added_height   bigint NOT NULL,
    revoked_height bigint NOT NULL,
    PRIMARY KEY (did, key_id)
);

CREATE TABLE orgs (
    did                        text    PRIMARY KEY,
    name                       text    NOT NULL,
    kind                       text    NOT NULL,
    parent                     text    NOT NULL,
    founder                    text    NOT NULL,
    control                    text    NOT NULL,
    created_height             bigint  NOT NULL,
    control_transferred_height bigint  NOT NULL,
    bonus_seats                bigint  NOT NULL,
    seats_used                 bigint  NOT NULL,
    height                     bigint  NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent);

CREATE TABLE memberships (
    org           text    NOT NULL,
    member        text    NOT NULL,
    roles         text[]  NOT NULL,
    joined_height bigint  NOT NULL,
    seated        boolean NOT NULL,
    height        bigint  NOT NULL,
    PRIMARY KEY (org, member)
);
CREATE INDEX memberships_member ON memberships (member);

CREATE TABLE invitations (
    org        text   NOT NULL,
    member     text   NOT NULL,
    roles      text[] NOT NULL,
    invited_by text   NOT NULL,
    invited_at bigint NOT NULL,
    height     bigint NOT NULL,
    PRIMARY KEY (org, member)
);

CREATE TABLE freezes (
    account       text   NOT NULL,
    org           text   NOT NULL,
    reason        text   NOT NULL,
    frozen_by     text   NOT NULL,
    frozen_at     bigint NOT NULL,
    appeal        text   NOT NULL,
    appeal_height bigint NOT NULL,
    height        bigint NOT NULL,
    PRIMARY KEY (account, org)
);

CREATE TABLE credentials (
    issuer         text   NOT NULL,
    cid            text   NOT NULL,
    subject        text   NOT NULL,
    type           text   NOT NULL,
    issued_height  bigint NOT NULL,
    issued_by      text   NOT NULL,
    revoked_height bigint NOT NULL,
    revoked_by     text   NOT NULL,
    reason         text   NOT NULL,
    height         bigint NOT NULL,
    PRIMARY KEY (issuer, cid)
);
CREATE INDEX credentials_subject ON credentials (subject);

CREATE TABLE mana_accounts (
    did           text           PRIMARY KEY,
    balance       numeric(20, 0) NOT NULL,
    capacity      numeric(20, 0) NOT NULL,
    rate          numeric(20, 0) NOT NULL,
    last_height   bigint         NOT NULL,
    base_capacity numeric(20, 0) NOT NULL,
    base_rate     numeric(20, 0) NOT NULL,
    escrowed      numeric(20, 0) NOT NULL,
    height        bigint         NOT NULL
);

-- The on-chain encrypted profile, without its ciphertexts: which fields it
-- has and the salted email hash the sync checks against.
CREATE TABLE profiles (
    did            text   PRIMARY KEY,
    fields         text[] NOT NULL,
    email_hash     bytea,
    updated_height bigint NOT NULL,
    height         bigint NOT NULL
);

-- Section 2 of issue 12: plaintext contact details a member sent by signed
-- sync, per organization. Not reproducible from the chain; kept across a
-- rebuild. Every plaintext column is nulled, and gdpr_deleted set, in the
-- database transaction of the block that erases the member's profile.
CREATE TABLE member_contacts (
    org                    text        NOT NULL,
    did                    text        NOT NULL,
    email                  text,
    fields                 jsonb,
    gdpr_consent           boolean     NOT NULL DEFAULT false,
    gdpr_marketing_consent boolean     NOT NULL DEFAULT false,
    gdpr_deleted           boolean     NOT NULL DEFAULT false,
    request_time           bigint      NOT NULL,
    request_hash           bytea       NOT NULL,
    updated_at             timestamptz NOT NULL,
    erased_height          bigint,
    PRIMARY KEY (org, did),
    CHECK (gdpr_consent OR (email IS NULL AND fields IS NULL)),
    CHECK (NOT gdpr_deleted OR (email IS NULL AND fields IS NULL))
);

-- One row per accepted signed request (sync or read) and per erasure; no
-- plaintext personal data. source is nulled on erasure.
CREATE TABLE sync_audit (
    id           bigserial   PRIMARY KEY,
    action       text        NOT NULL,
    did          text        NOT NULL,
    org          text        NOT NULL,
    request_hash bytea       NOT NULL UNIQUE,
    at           timestamptz NOT NULL,
    source       text
);
CREATE INDEX sync_audit_did ON sync_audit (did);
CREATE INDEX sync_audit_at ON sync_audit (at);

-- Readers. icn_mirror_reader may read everything reproducible from the
-- chain; icn_contacts_reader also reads the plaintext contacts and the
-- audit log. Grant them to login roles: GRANT icn_contacts_reader TO alice;
-- Roles belong to the whole cluster, so create them only once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'icn_mirror_reader') THEN
        CREATE ROLE icn_mirror_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'icn_contacts_reader') THEN
        CREATE ROLE icn_contacts_reader NOLOGIN IN ROLE icn_mirror_reader;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO icn_mirror_reader;
GRANT SELECT ON indexer_state, blocks, txs, events, dids, did_keys, orgs, memberships,
    invitations, freezes, credentials, mana_accounts, profiles TO icn_mirror_reader;
GRANT SELECT ON member_contacts, sync_audit TO icn_contacts_reader;
