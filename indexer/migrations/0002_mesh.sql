-- 0002: the mesh (executors, jobs, their bids and receipts) and the dag's
-- anchored entries. Every table is rebuilt from the chain. Numbers the
-- chain keeps as uint64 are numeric(20, 0); CIDs are their strings.

-- One row per executor record, kept after the executor leaves (the chain
-- keeps its reputation).
CREATE TABLE mesh_executors (
    did               text           PRIMARY KEY,
    status            text           NOT NULL,
    max_fuel          numeric(20, 0) NOT NULL,
    memory_pages      numeric(20, 0) NOT NULL,
    kinds             text[]         NOT NULL,
    price_floor       numeric(20, 0) NOT NULL,
    bond              numeric(20, 0) NOT NULL,
    reserved          numeric(20, 0) NOT NULL,
    reputation        numeric(20, 0) NOT NULL,
    open              bigint         NOT NULL,
    registered_height bigint         NOT NULL,
    last_gain_height  bigint         NOT NULL,
    height            bigint         NOT NULL
);
CREATE INDEX mesh_executors_status ON mesh_executors (status);

-- A job by its CID. deadline_blocks and bid_window are the poster's
-- request; window_close, commit_deadline (the last height that takes
-- receipt commitments) and deadline_height the heights they came to.
-- executors are the assigned ones, in bid order; output, fuel and exit
-- are the agreed result of a completed job.
CREATE TABLE mesh_jobs (
    id              text           PRIMARY KEY,
    poster          text           NOT NULL,
    status          text           NOT NULL,
    module          text           NOT NULL,
    input           text           NOT NULL,
    kind            text           NOT NULL,
    memory_pages    numeric(20, 0) NOT NULL,
    min_reputation  numeric(20, 0) NOT NULL,
    fuel_limit      numeric(20, 0) NOT NULL,
    max_price       numeric(20, 0) NOT NULL,
    replication     bigint         NOT NULL,
    agreement       bigint         NOT NULL,
    bid_window      numeric(20, 0) NOT NULL,
    deadline_blocks numeric(20, 0) NOT NULL,
    sequence        numeric(20, 0) NOT NULL,
    escrow          numeric(20, 0) NOT NULL,
    posted_height   bigint         NOT NULL,
    window_close    bigint         NOT NULL,
    commit_deadline bigint         NOT NULL,
    deadline_height bigint         NOT NULL,
    executors       text[]         NOT NULL,
    output          text           NOT NULL,
    fuel            numeric(20, 0) NOT NULL,
    exit            numeric(20, 0) NOT NULL,
    refunded        numeric(20, 0) NOT NULL,
    reason          text           NOT NULL,
    closed_height   bigint         NOT NULL,
    height          bigint         NOT NULL
);
CREATE INDEX mesh_jobs_poster ON mesh_jobs (poster, posted_height);
CREATE INDEX mesh_jobs_status ON mesh_jobs (status, posted_height);

-- A job's bids as its record holds them (idx: arrival order). An evicted
-- bid leaves the record and the table. commitment (hex, '' before) is the
-- executor's commitment to its receipt; paid and slashed are set when
-- the job settles.
CREATE TABLE mesh_bids (
    job        text           NOT NULL REFERENCES mesh_jobs (id) ON DELETE CASCADE,
    executor   text           NOT NULL,
    idx        integer        NOT NULL,
    price      numeric(20, 0) NOT NULL,
    reserved   numeric(20, 0) NOT NULL,
    bid_height bigint         NOT NULL,
    assigned   boolean        NOT NULL,
    commitment text           NOT NULL,
    paid       numeric(20, 0) NOT NULL,
    slashed    numeric(20, 0) NOT NULL,
    PRIMARY KEY (job, executor)
);
CREATE INDEX mesh_bids_executor ON mesh_bids (executor);

-- The receipts the chain accepted, one per assigned executor that
-- answered. anchored_height is the height of the receipt's dag entry
-- (dag_entries, anchored by the executor).
CREATE TABLE mesh_receipts (
    job             text           NOT NULL REFERENCES mesh_jobs (id) ON DELETE CASCADE,
    executor        text           NOT NULL,
    cid             text           NOT NULL,
    output          text           NOT NULL,
    fuel            numeric(20, 0) NOT NULL,
    exit            numeric(20, 0) NOT NULL,
    anchored_height bigint         NOT NULL,
    PRIMARY KEY (job, executor)
);
CREATE INDEX mesh_receipts_cid ON mesh_receipts (cid);

-- Every dag entry: a CID anchored by a DID, its kind and its links. The
-- entries linking to a CID are those whose links contain it (a job's
-- receipts, for one). Entries never change.
CREATE TABLE dag_entries (
    cid             text   NOT NULL,
    anchorer        text   NOT NULL,
    kind            text   NOT NULL,
    links           text[] NOT NULL,
    anchored_height bigint NOT NULL,
    height          bigint NOT NULL,
    PRIMARY KEY (cid, anchorer)
);
CREATE INDEX dag_entries_links ON dag_entries USING gin (links);
CREATE INDEX dag_entries_anchorer ON dag_entries (anchorer, anchored_height);

GRANT SELECT ON mesh_executors, mesh_jobs, mesh_bids, mesh_receipts, dag_entries TO icn_mirror_reader;
