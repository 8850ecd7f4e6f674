-- Flash Sale Console schema. Portable between SQLite and PostgreSQL.
-- {{KEY}} is "INTEGER" on SQLite (an alias of the rowid, no extra index) and "BIGINT" elsewhere;
-- {{CLUSTERED}} makes SQLite store a table in its primary key's B-tree (WITHOUT ROWID);
-- {{SERIAL_KEY}} is a primary key numbered by the database ("INTEGER PRIMARY KEY" on SQLite,
-- "BIGSERIAL PRIMARY KEY" on PostgreSQL).
-- Times are Unix epoch milliseconds; money is in minor units (cents/fen).

CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    initial_stock BIGINT NOT NULL,
    stock_total BIGINT NOT NULL,
    per_user_limit INTEGER NOT NULL,
    starts_at_ms BIGINT NOT NULL,
    ends_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    -- Scale-out: raised by each node that takes over deciding the event; commits check it.
    decider_epoch BIGINT NOT NULL DEFAULT 0,
    -- 1: a rehearsal copy made for the simulator; hidden from shoppers, exports and totals.
    rehearsal INTEGER NOT NULL DEFAULT 0,
    -- Orders and payment: seconds a winner has to pay (0: orders are final) and where the
    -- units of a cancelled or expired order go ('restock' or 'offer').
    payment_window_seconds INTEGER NOT NULL DEFAULT 0,
    release_policy TEXT NOT NULL DEFAULT 'restock',
    -- 'open': the purchase body names the user; 'signed': a pass signed by the shop does.
    shopper_identity TEXT NOT NULL DEFAULT 'open',
    -- Requests within this long after opening are decided in a random order; 0 = off.
    fair_start_ms INTEGER NOT NULL DEFAULT 0
);

-- The journal: every accepted purchase request, with its decision once made.
CREATE TABLE IF NOT EXISTS requests (
    seq {{KEY}} PRIMARY KEY,
    ticket_tag BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    contact TEXT NOT NULL,
    simulated INTEGER NOT NULL,
    accepted_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    order_id BIGINT,
    decided_at_ms BIGINT,
    -- Where the durable commit put the row: its commit (SQLite: the writer's count of commits;
    -- PostgreSQL: the transaction id) and its place in that commit's decision order. The
    -- intent projector reads losses in this order (engine/storage/projector.h).
    commit_no BIGINT NOT NULL DEFAULT 0,
    commit_pos INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS orders (
    order_id {{KEY}} PRIMARY KEY,
    event_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_cents BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    ticket_seq BIGINT NOT NULL,
    contact TEXT NOT NULL,
    simulated INTEGER NOT NULL,
    decided_at_ms BIGINT NOT NULL,
    -- final, pending_payment, paid, cancelled or expired; sale (a won request) or offer (freed
    -- units offered to a lead, whose lost request request_id and ticket_seq name).
    status TEXT NOT NULL DEFAULT 'final',
    source TEXT NOT NULL DEFAULT 'sale',
    expires_at_ms BIGINT NOT NULL DEFAULT 0,
    paid_at_ms BIGINT NOT NULL DEFAULT 0
);
-- Orders arrive in order_id order, so this index only ever appends.
CREATE INDEX IF NOT EXISTS orders_by_event ON orders (event_id, order_id);

-- Leads: one row per event and user who wanted to buy and did not get (all of) it.
CREATE TABLE IF NOT EXISTS intents (
    event_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    contact TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    last_reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_at_ms BIGINT NOT NULL,
    last_at_ms BIGINT NOT NULL,
    simulated INTEGER NOT NULL,
    -- When freed units were offered to this lead, and the offer's order (its status is the outcome).
    offered_at_ms BIGINT NOT NULL DEFAULT 0,
    offer_order_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, user_id)
){{CLUSTERED}};
-- No secondary index on intents: every loss updates a row at a random place, and each index
-- would add a random page write to the commit. Lead queries filter one event's rows.

-- Webhooks (engine/storage/webhooks.h): the shop's one endpoint, and the outbox every commit
-- writes in the same transaction as the decisions and order changes that cause its rows.
CREATE TABLE IF NOT EXISTS webhook_endpoint (
    id INTEGER PRIMARY KEY, -- always 1
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    configured_at_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_outbox (
    seq {{SERIAL_KEY}},
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    event_id TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_http_status INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    last_attempt_at_ms BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL DEFAULT 0,
    delivered_at_ms BIGINT NOT NULL DEFAULT 0
);
-- The delivery thread's question: what is due.
CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (status, next_attempt_at_ms);

-- The intent projector (engine/storage/projector.h): the commit appends journal rows only; the
-- projector folds their losses into intents, after its cursor (the commit and position of the
-- last loss it folded, advanced in the same transaction as the intents it writes). The index
-- holds losses only and only ever appends.
CREATE INDEX IF NOT EXISTS requests_lost_by_commit ON requests (commit_no, commit_pos) WHERE state = 'lost';
CREATE TABLE IF NOT EXISTS intent_projection (
    id INTEGER PRIMARY KEY, -- always 1
    projected_commit BIGINT NOT NULL,
    projected_pos INTEGER NOT NULL
);
INSERT INTO intent_projection (id, projected_commit, projected_pos) VALUES (1, 0, 0);
