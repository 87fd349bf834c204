-- A batch in sets: `croupier_wallet_batch` (same arguments and answers as
-- in 0005) now carries out a batch in about fifteen statements whatever its
-- size, instead of several statements per operation, and says so in a
-- sixth answer column, `op_sets`. The one-by-one
-- function of 0005 is kept as `croupier_wallet_batch_each`, and a batch
-- goes to it whenever it is not plainly clean: a key seen before or twice,
-- a round closed, closed twice or staked after its close in the batch, a
-- currency mismatch, a payout without a stake, a player without the money
-- for the sum of their stakes in the batch (a close earlier in the batch
-- could have paid for it: the one-by-one path decides), or a player without
-- an account. A clean batch has no refusal, so taking it as a whole gives
-- the answers and the money of taking it one by one (tests/batch.rs runs
-- the same operations on both paths and on SQLite and compares).
--
-- Locks are taken in one order in every clean batch: its rounds by key,
-- then its players' accounts by id, then its houses by id at the end, so
-- that two batches in flight at once wait for each other but never
-- deadlock.

ALTER FUNCTION croupier_wallet_batch(TEXT, BIGINT) RENAME TO croupier_wallet_batch_each;

-- The operations of a batch as rows (their records and checkpoints are
-- read where they are written).
CREATE FUNCTION croupier_batch_ops(doc JSONB)
RETURNS TABLE (i BIGINT, k TEXT, key TEXT, round TEXT, req TEXT, house TEXT, cur TEXT, player BIGINT,
               amount BIGINT, payouts JSONB)
LANGUAGE sql IMMUTABLE AS $$
    SELECT x.i, x.k, x.key, x.round, x.req, x.house, x.cur, x."user", x.amount, x.payouts
        FROM jsonb_to_recordset(doc) AS x(i BIGINT, k TEXT, key TEXT, round TEXT, req TEXT, house TEXT,
                                          cur TEXT, "user" BIGINT, amount BIGINT, payouts JSONB)
$$;

CREATE FUNCTION croupier_wallet_batch(ops TEXT, now_ms BIGINT)
RETURNS TABLE (op_index BIGINT, op_tx BIGINT, op_replayed BOOLEAN, op_error TEXT, op_detail TEXT, op_sets BOOLEAN)
-- A batch touches a few hundred rows of tables that grow without bound: an
-- index probe per row is always the right plan, and a plan made while the
-- tables were small (a hash join over a scan of the whole table) must not
-- outlive their growth.
SET enable_seqscan = off
LANGUAGE plpgsql AS $$
DECLARE
    doc JSONB := ops::jsonb;
    houses BIGINT[];
    deltas BIGINT[];
BEGIN
    -- Keys: none seen before, none twice.
    IF EXISTS (SELECT 1 FROM wallet_transactions t
                   WHERE t.idempotency_key = ANY (ARRAY(SELECT o.key FROM croupier_batch_ops(doc) o WHERE o.k <> 'record')))
       OR EXISTS (SELECT 1 FROM croupier_batch_ops(doc) o WHERE o.k <> 'record' GROUP BY o.key HAVING COUNT(*) > 1) THEN
        RETURN QUERY SELECT e.*, FALSE FROM croupier_wallet_batch_each(ops, now_ms) e;
        RETURN;
    END IF;

    -- Rounds: locked by key; each open (or opened by its first stake here,
    -- in one currency), closed at most once and never staked after that.
    PERFORM 1 FROM wallet_rounds r
        WHERE r.round_key = ANY (ARRAY(SELECT o.round FROM croupier_batch_ops(doc) o WHERE o.k <> 'record'))
        ORDER BY r.round_key FOR UPDATE;
    IF EXISTS (
        WITH g AS (
            SELECT o.round,
                   COUNT(*) FILTER (WHERE o.k <> 'reserve') AS closes,
                   MIN(o.i) FILTER (WHERE o.k <> 'reserve') AS closed_at,
                   MAX(o.i) FILTER (WHERE o.k = 'reserve') AS last_stake,
                   COUNT(*) FILTER (WHERE o.k = 'reserve') AS stakes,
                   COUNT(DISTINCT o.cur) FILTER (WHERE o.k = 'reserve') AS currencies,
                   MIN(o.cur) FILTER (WHERE o.k = 'reserve') AS cur
                FROM croupier_batch_ops(doc) o WHERE o.k <> 'record' GROUP BY o.round)
        SELECT 1 FROM g LEFT JOIN LATERAL (
                SELECT r.round_key, r.status, r.currency FROM wallet_rounds r WHERE r.round_key = g.round LIMIT 1) r ON TRUE
            WHERE g.closes > 1 OR g.last_stake > g.closed_at OR g.currencies > 1
               OR (r.round_key IS NULL AND g.stakes = 0)
               OR (r.round_key IS NOT NULL AND (r.status <> 'open' OR (g.stakes > 0 AND r.currency <> g.cur))))
       OR EXISTS (
        -- (sets, not joins: hashed whatever the planner guesses of their sizes)
        SELECT o.round, (x->>0)::BIGINT FROM croupier_batch_ops(doc) o CROSS JOIN LATERAL jsonb_array_elements(o.payouts) x
            WHERE o.k = 'settle'
        EXCEPT SELECT o.round, o.player FROM croupier_batch_ops(doc) o WHERE o.k = 'reserve'
        EXCEPT SELECT h.round_key, h.user_id FROM croupier_batch_ops(doc) o
            JOIN wallet_holds h ON h.round_key = o.round AND h.status = 'held' WHERE o.k = 'settle') THEN
        RETURN QUERY SELECT e.*, FALSE FROM croupier_wallet_batch_each(ops, now_ms) e;
        RETURN;
    END IF;

    -- Players: the stakers' accounts and those whose stakes a close moves,
    -- locked by id; each staker holds the sum of their stakes here.
    PERFORM 1 FROM wallet_accounts a JOIN (
            SELECT 'player:' || o.player AS name, o.cur AS currency FROM croupier_batch_ops(doc) o WHERE o.k = 'reserve'
            UNION
            SELECT 'player:' || h.user_id, r.currency FROM croupier_batch_ops(doc) o
                JOIN wallet_rounds r ON r.round_key = o.round
                JOIN wallet_holds h ON h.round_key = o.round AND h.status = 'held'
                WHERE o.k IN ('settle', 'void')) w ON a.name = w.name AND a.currency = w.currency
        ORDER BY a.id FOR UPDATE OF a;
    IF EXISTS (
        SELECT 1 FROM (SELECT 'player:' || o.player AS name, o.cur, SUM(o.amount) AS total
                           FROM croupier_batch_ops(doc) o WHERE o.k = 'reserve' GROUP BY 1, 2) s
            LEFT JOIN wallet_accounts a ON a.name = s.name AND a.currency = s.cur
            WHERE a.id IS NULL OR a.available < s.total) THEN
        RETURN QUERY SELECT e.*, FALSE FROM croupier_wallet_batch_each(ops, now_ms) e;
        RETURN;
    END IF;

    -- Clean: from here on every operation lands. New rounds first, each
    -- with the house account of its first stake.
    PERFORM croupier_wallet_account('house', NULL, 'house:' || n.house, n.cur) FROM (
        SELECT DISTINCT o.house, o.cur FROM croupier_batch_ops(doc) o
            WHERE o.k = 'reserve'
              AND (SELECT r.round_key FROM wallet_rounds r WHERE r.round_key = o.round LIMIT 1) IS NULL
              AND (SELECT a.id FROM wallet_accounts a WHERE a.name = 'house:' || o.house AND a.currency = o.cur LIMIT 1) IS NULL) n;
    INSERT INTO wallet_rounds (round_key, currency, house_account, status, opened_at)
        SELECT f.round, f.cur, a.id, 'open', now_ms FROM (
            SELECT DISTINCT ON (o.round) o.round, o.house, o.cur FROM croupier_batch_ops(doc) o
                WHERE o.k = 'reserve' ORDER BY o.round, o.i) f
        JOIN wallet_accounts a ON a.name = 'house:' || f.house AND a.currency = f.cur
        WHERE (SELECT r.round_key FROM wallet_rounds r WHERE r.round_key = f.round LIMIT 1) IS NULL
        ORDER BY f.round;

    -- The keys, claimed in the batch's order. From here on an operation
    -- finds its transaction by its key. Every lookup in this function is a
    -- batch row probing an index (written as `= ANY (ARRAY(...))` or a
    -- `LIMIT 1` subquery where the planner, misled by young statistics,
    -- would otherwise scan a whole table to merge it), so a statement's cost
    -- grows with the batch, never with the tables.
    INSERT INTO wallet_transactions (idempotency_key, kind, request, round_key, created_at)
        SELECT o.key, o.k, o.req, o.round, now_ms FROM croupier_batch_ops(doc) o
            WHERE o.k <> 'record' ORDER BY o.i;

    -- Stakes: out of available into held, and a hold each.
    INSERT INTO wallet_entries (tx_id, account_id, bucket, amount)
        SELECT t.id, a.id, b.bucket, CASE b.bucket WHEN 'available' THEN -o.amount ELSE o.amount END
            FROM croupier_batch_ops(doc) o
            JOIN wallet_transactions t ON t.idempotency_key = o.key
            JOIN wallet_accounts a ON a.name = 'player:' || o.player AND a.currency = o.cur
            CROSS JOIN (VALUES ('available'), ('held')) AS b (bucket)
            WHERE o.k = 'reserve' ORDER BY t.id, b.bucket;
    UPDATE wallet_accounts a SET available = a.available - s.total, held = a.held + s.total
        FROM (SELECT 'player:' || o.player AS name, o.cur, SUM(o.amount)::BIGINT AS total
                  FROM croupier_batch_ops(doc) o WHERE o.k = 'reserve' GROUP BY 1, 2) s
        WHERE a.name = s.name AND a.currency = s.cur;
    INSERT INTO wallet_holds (round_key, user_id, amount, tx_id, status)
        SELECT o.round, o.player, o.amount, t.id, 'held' FROM croupier_batch_ops(doc) o
            JOIN wallet_transactions t ON t.idempotency_key = o.key
            WHERE o.k = 'reserve' ORDER BY o.i;

    -- Closes: per round and player, what is held moves out of held; a
    -- settlement pays it to the house and pays the payouts from it, a void
    -- returns it. The houses' net movements are summed for the end.
    WITH c AS (
        SELECT o.i, o.k, o.round, o.payouts, t.id AS tx, r.currency, r.house_account
            FROM croupier_batch_ops(doc) o
            JOIN wallet_transactions t ON t.idempotency_key = o.key
            JOIN wallet_rounds r ON r.round_key = o.round
            WHERE o.k IN ('settle', 'void')),
    stakes AS (
        SELECT c.tx, c.k, c.house_account, c.currency, c.payouts, h.user_id, SUM(h.amount)::BIGINT AS staked
            FROM c JOIN wallet_holds h ON h.round_key = c.round AND h.status = 'held'
            GROUP BY c.tx, c.k, c.house_account, c.currency, c.payouts, h.user_id),
    moves AS (
        SELECT s.tx, s.k, s.house_account, a.id AS account_id, s.staked,
               CASE WHEN s.k = 'void' THEN s.staked
                    ELSE COALESCE((SELECT SUM((x->>1)::BIGINT) FROM jsonb_array_elements(s.payouts) x
                                       WHERE (x->>0)::BIGINT = s.user_id), 0)::BIGINT END AS credit
            FROM stakes s
            JOIN wallet_accounts a ON a.name = 'player:' || s.user_id AND a.currency = s.currency),
    entries AS (
        INSERT INTO wallet_entries (tx_id, account_id, bucket, amount)
            SELECT tx, account_id, 'held', -staked FROM moves
            UNION ALL SELECT tx, account_id, 'available', credit FROM moves WHERE credit <> 0
            UNION ALL SELECT tx, house_account, 'available', SUM(staked - credit)::BIGINT FROM moves
                WHERE k = 'settle' GROUP BY tx, house_account HAVING SUM(staked - credit) <> 0),
    applied AS (
        UPDATE wallet_accounts a SET held = a.held - m.staked, available = a.available + m.credit
            FROM (SELECT account_id, SUM(staked)::BIGINT AS staked, SUM(credit)::BIGINT AS credit
                      FROM moves GROUP BY account_id) m
            WHERE a.id = m.account_id)
    SELECT array_agg(hd.house_account ORDER BY hd.house_account), array_agg(hd.delta ORDER BY hd.house_account)
        INTO houses, deltas
        FROM (SELECT house_account, SUM(staked - credit)::BIGINT AS delta FROM moves
                  WHERE k = 'settle' GROUP BY house_account HAVING SUM(staked - credit) <> 0) hd;
    UPDATE wallet_holds h SET status = CASE WHEN o.k = 'settle' THEN 'settled' ELSE 'voided' END
        FROM croupier_batch_ops(doc) o
        WHERE o.k IN ('settle', 'void') AND h.round_key = o.round AND h.status = 'held';
    UPDATE wallet_rounds r SET status = CASE WHEN o.k = 'settle' THEN 'settled' ELSE 'voided' END, closed_at = now_ms
        FROM croupier_batch_ops(doc) o
        WHERE o.k IN ('settle', 'void') AND r.round_key = o.round;

    -- Records (the first of a round wins, as one by one) and checkpoints
    -- (the highest seq of a table, the later of equals).
    WITH recs AS (
        SELECT DISTINCT ON (e->>'round') e->>'round' AS round, e->'rec' AS rec
            FROM jsonb_array_elements(doc) e WHERE e ? 'rec'
            ORDER BY e->>'round', (e->>'i')::BIGINT),
    written AS (
        INSERT INTO rounds (round_key, table_id, game, record, created_at)
            SELECT round, rec->>'table', rec->>'game', rec->>'record', (rec->>'created_at')::BIGINT FROM recs
            ORDER BY round
            ON CONFLICT (round_key) DO NOTHING
            RETURNING round_key)
    INSERT INTO round_players (round_key, user_id)
        SELECT DISTINCT w.round_key, p.value::BIGINT FROM written w
            JOIN recs ON recs.round = w.round_key
            CROSS JOIN LATERAL jsonb_array_elements_text(recs.rec->'players') p;
    INSERT INTO table_checkpoints (table_id, game, kind, owner, spec, seq, checkpoint, closed, updated_at)
        SELECT cp->>'table', cp->>'game', cp->>'kind', (cp->>'owner')::BIGINT, cp->>'spec', (cp->>'seq')::BIGINT,
               cp->>'checkpoint', CASE WHEN (cp->>'closed')::BOOLEAN THEN 1 ELSE 0 END, (cp->>'updated_at')::BIGINT
            FROM (SELECT DISTINCT ON (e->'cp'->>'table') e->'cp' AS cp FROM jsonb_array_elements(doc) e
                      WHERE e ? 'rec' AND e ? 'cp'
                      ORDER BY e->'cp'->>'table', (e->'cp'->>'seq')::BIGINT DESC, (e->>'i')::BIGINT DESC) l
        ON CONFLICT (table_id) DO UPDATE SET game = excluded.game, kind = excluded.kind,
            owner = excluded.owner, spec = excluded.spec, seq = excluded.seq,
            checkpoint = excluded.checkpoint, closed = excluded.closed, updated_at = excluded.updated_at
        WHERE table_checkpoints.seq <= excluded.seq;

    -- The houses' net movements, once each, locked by id.
    PERFORM 1 FROM wallet_accounts a WHERE a.id = ANY (houses) ORDER BY a.id FOR UPDATE;
    UPDATE wallet_accounts a SET available = a.available + h.delta
        FROM unnest(houses, deltas) AS h (id, delta) WHERE a.id = h.id;

    RETURN QUERY SELECT o.i,
            CASE WHEN o.k <> 'record' THEN
                (SELECT t.id FROM wallet_transactions t WHERE t.idempotency_key = o.key LIMIT 1) END,
            CASE WHEN o.k = 'record' THEN NULL ELSE FALSE END, NULL::TEXT, NULL::TEXT, TRUE
        FROM croupier_batch_ops(doc) o ORDER BY o.i;
END $$;
