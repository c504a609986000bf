-- 0003: governance (proposals with their running tallies, the electorate
-- snapshot with each member's vote, standing delegations, organizations'
-- policies). Every table is rebuilt from the chain. The chain's params,
-- validator set and upgrade plan are not mirrored (the events table has
-- their events).

-- A proposal and its running tally (yes, no, abstain: the sums the chain
-- keeps vote by vote, delegated weight included). The policy columns are
-- the policy the proposal was submitted under (a snapshot).
CREATE TABLE gov_proposals (
    id                bigint         PRIMARY KEY,
    org               text           NOT NULL,
    proposer          text           NOT NULL,
    title             text           NOT NULL,
    summary           text           NOT NULL,
    summary_cid       text           NOT NULL,
    messages          text[]         NOT NULL,
    status            text           NOT NULL,
    submit_height     bigint         NOT NULL,
    voting_end_height bigint         NOT NULL,
    execute_height    bigint         NOT NULL,
    end_height        bigint         NOT NULL,
    electorate        text           NOT NULL,
    quorum_num        numeric(20, 0) NOT NULL,
    quorum_den        numeric(20, 0) NOT NULL,
    threshold_num     numeric(20, 0) NOT NULL,
    threshold_den     numeric(20, 0) NOT NULL,
    timelock          bigint         NOT NULL,
    total_weight      numeric(20, 0) NOT NULL,
    voters            bigint         NOT NULL,
    yes               numeric(20, 0) NOT NULL,
    no                numeric(20, 0) NOT NULL,
    abstain           numeric(20, 0) NOT NULL,
    votes_cast        numeric(20, 0) NOT NULL,
    deposit           numeric(20, 0) NOT NULL,
    failure_codespace text           NOT NULL,
    failure_code      bigint         NOT NULL,
    failure_log       text           NOT NULL,
    height            bigint         NOT NULL
);
CREATE INDEX gov_proposals_org ON gov_proposals (org, id);
CREATE INDEX gov_proposals_status ON gov_proposals (status, id);

-- The electorate snapshot of a proposal: one row per member with a
-- weight. option is '' until the member votes; delegate is whom the
-- member's weight follows while it has not voted, delegated the weight of
-- the members who follow it and have not voted.
CREATE TABLE gov_voters (
    proposal    bigint         NOT NULL,
    member      text           NOT NULL,
    weight      numeric(20, 0) NOT NULL,
    delegate    text           NOT NULL,
    delegated   numeric(20, 0) NOT NULL,
    option      text           NOT NULL,
    vote_height bigint         NOT NULL,
    height      bigint         NOT NULL,
    PRIMARY KEY (proposal, member)
);
CREATE INDEX gov_voters_member ON gov_voters (member, proposal);

CREATE TABLE gov_delegations (
    delegator    text   NOT NULL,
    org          text   NOT NULL,
    delegate     text   NOT NULL,
    since_height bigint NOT NULL,
    height       bigint NOT NULL,
    PRIMARY KEY (delegator, org)
);
CREATE INDEX gov_delegations_delegate ON gov_delegations (org, delegate);

-- An organization's policy, once it set one (until then the chain's
-- default policy applies). weights is a JSON object member -> weight for
-- a weighted electorate.
CREATE TABLE gov_policies (
    org           text           PRIMARY KEY,
    electorate    text           NOT NULL,
    weights       jsonb          NOT NULL,
    quorum_num    numeric(20, 0) NOT NULL,
    quorum_den    numeric(20, 0) NOT NULL,
    threshold_num numeric(20, 0) NOT NULL,
    threshold_den numeric(20, 0) NOT NULL,
    voting_period bigint         NOT NULL,
    timelock      bigint         NOT NULL,
    veto_dids     text[]         NOT NULL,
    veto_role     text           NOT NULL,
    deposit       numeric(20, 0) NOT NULL,
    height        bigint         NOT NULL
);

GRANT SELECT ON gov_proposals, gov_voters, gov_delegations, gov_policies TO icn_mirror_reader;
