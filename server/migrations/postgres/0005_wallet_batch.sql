-- A batch of money operations in one call (Postgres only; see
-- server/src/store/batch_pg.rs, which builds the batch and reads the
-- answers, and server/src/store/wallet.rs, whose single operations these
-- must match exactly: the conformance suite runs both).
--
-- Each operation is checked before it writes anything (a replayed key, a
-- closed round, a currency mismatch, insufficient funds, a payout without a
-- stake), so a refusal leaves no trace and needs no subtransaction. An
-- error that is not one of these aborts the call, and the caller runs the
-- batch again one operation per savepoint. House accounts are not
-- constrained, so their movements are summed over the batch and applied
-- once at its end: a hot house row is written once per batch.

CREATE FUNCTION croupier_wallet_account(a_kind TEXT, a_user BIGINT, a_name TEXT, a_currency TEXT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    found_id BIGINT;
BEGIN
    SELECT id INTO found_id FROM wallet_accounts WHERE name = a_name AND currency = a_currency;
    IF FOUND THEN
        RETURN found_id;
    END IF;
    INSERT INTO wallet_accounts (kind, user_id, name, currency) VALUES (a_kind, a_user, a_name, a_currency)
        ON CONFLICT (name, currency) DO NOTHING;
    SELECT id INTO STRICT found_id FROM wallet_accounts WHERE name = a_name AND currency = a_currency;
    RETURN found_id;
END $$;

-- `ops`: a JSON array of operations, each
--   {"i": index, "k": "reserve"|"settle"|"void"|"record", "key", "round",
--    "req" (the request text a replay must match; not for a record),
--    reserve: "house", "cur", "user", "amount";
--    settle: "payouts": [[user, amount], ...] (sorted by user);
--    any close: "rec": {table, game, record, created_at, players, ...},
--               "cp": {table, game, kind, owner, spec, seq, checkpoint, closed (a boolean), updated_at}}.
-- A field that does not apply is absent, never null.
-- One answer row per operation: its transaction (none for a record alone),
-- whether it was a replay, or a refusal code and its detail.
CREATE FUNCTION croupier_wallet_batch(ops TEXT, now_ms BIGINT)
RETURNS TABLE (op_index BIGINT, op_tx BIGINT, op_replayed BOOLEAN, op_error TEXT, op_detail TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    op JSONB;
    op_kind TEXT;
    op_key TEXT;
    op_round TEXT;
    first_id BIGINT;
    first_request TEXT;
    round_status TEXT;
    round_currency TEXT;
    round_house BIGINT;
    player_id BIGINT;
    player_available BIGINT;
    stake BIGINT;
    user_key BIGINT;
    new_tx BIGINT;
    house_delta BIGINT;
    missing BIGINT;
    houses BIGINT[] := '{}';
    deltas BIGINT[] := '{}';
    slot INT;
    rec JSONB;
    cp JSONB;
BEGIN
    FOR op IN SELECT value FROM jsonb_array_elements(ops::jsonb) LOOP
        op_index := (op->>'i')::BIGINT;
        op_tx := NULL;
        op_replayed := NULL;
        op_error := NULL;
        op_detail := NULL;
        op_kind := op->>'k';
        op_key := op->>'key';
        op_round := op->>'round';

        -- A key seen before answers with its first receipt, or is refused.
        IF op_kind <> 'record' THEN
            SELECT t.id, t.request INTO first_id, first_request
                FROM wallet_transactions t WHERE t.idempotency_key = op_key;
            IF FOUND THEN
                IF first_request = op->>'req' THEN
                    op_tx := first_id;
                    op_replayed := TRUE;
                ELSE
                    op_error := 'key_reused';
                    op_detail := op_key;
                END IF;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        SELECT r.status, r.currency, r.house_account INTO round_status, round_currency, round_house
            FROM wallet_rounds r WHERE r.round_key = op_round FOR UPDATE;

        -- The checks: a refusal writes nothing.
        IF op_kind = 'reserve' THEN
            stake := (op->>'amount')::BIGINT;
            user_key := (op->>'user')::BIGINT;
            IF round_status IS NOT NULL AND round_status <> 'open' THEN
                op_error := 'round_closed';
                op_detail := op_round;
            ELSIF round_status IS NOT NULL AND round_currency <> op->>'cur' THEN
                op_error := 'currency_mismatch';
                op_detail := round_currency;
            ELSE
                SELECT a.id, a.available INTO player_id, player_available FROM wallet_accounts a
                    WHERE a.name = 'player:' || user_key AND a.currency = op->>'cur' FOR UPDATE;
                IF NOT FOUND THEN
                    -- No account yet: none of the money it would need. A
                    -- player who does not exist is not a refusal but an
                    -- error, answered by the savepoint path.
                    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = user_key) THEN
                        RAISE EXCEPTION 'user % does not exist', user_key USING ERRCODE = 'foreign_key_violation';
                    END IF;
                    op_error := 'insufficient_funds';
                ELSIF player_available < stake THEN
                    op_error := 'insufficient_funds';
                END IF;
            END IF;
        ELSIF op_kind <> 'record' THEN
            IF round_status IS NULL THEN
                op_error := 'unknown_round';
                op_detail := op_round;
            ELSIF round_status <> 'open' THEN
                op_error := 'round_closed';
                op_detail := op_round;
            ELSIF op_kind = 'settle' THEN
                SELECT MIN(p.u) INTO missing FROM (
                    SELECT (x->>0)::BIGINT AS u FROM jsonb_array_elements(op->'payouts') x) p
                    WHERE NOT EXISTS (SELECT 1 FROM wallet_holds h
                        WHERE h.round_key = op_round AND h.status = 'held' AND h.user_id = p.u);
                IF missing IS NOT NULL THEN
                    op_error := 'payout_without_stake';
                    op_detail := missing::TEXT;
                END IF;
            END IF;
        END IF;
        IF op_error IS NOT NULL THEN
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- The key is claimed once the checks have passed.
        IF op_kind <> 'record' THEN
            INSERT INTO wallet_transactions (idempotency_key, kind, request, round_key, created_at)
                VALUES (op_key, op_kind, op->>'req', op_round, now_ms) RETURNING id INTO new_tx;
            op_tx := new_tx;
            op_replayed := FALSE;
        END IF;

        IF op_kind = 'reserve' THEN
            IF round_status IS NULL THEN
                -- The round's first stake opens it with its house account.
                round_house := croupier_wallet_account('house', NULL, 'house:' || (op->>'house'), op->>'cur');
                INSERT INTO wallet_rounds (round_key, currency, house_account, status, opened_at)
                    VALUES (op_round, op->>'cur', round_house, 'open', now_ms);
            END IF;
            INSERT INTO wallet_entries (tx_id, account_id, bucket, amount)
                VALUES (new_tx, player_id, 'available', -stake), (new_tx, player_id, 'held', stake);
            UPDATE wallet_accounts SET available = available - stake, held = held + stake WHERE id = player_id;
            INSERT INTO wallet_holds (round_key, user_id, amount, tx_id, status)
                VALUES (op_round, user_key, stake, new_tx, 'held');
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- A close: settle, void, or a record alone.
        IF op_kind <> 'record' THEN
            -- Per player: what is held moves out of held; a settlement pays
            -- it to the house and pays the payouts from it, a void returns it.
            WITH stakes AS (
                SELECT h.user_id, SUM(h.amount)::BIGINT AS staked FROM wallet_holds h
                    WHERE h.round_key = op_round AND h.status = 'held' GROUP BY h.user_id),
            paid AS (
                SELECT (x->>0)::BIGINT AS user_id, SUM((x->>1)::BIGINT)::BIGINT AS paid
                    FROM jsonb_array_elements(CASE WHEN op_kind = 'settle' THEN op->'payouts' ELSE '[]'::jsonb END) x
                    GROUP BY 1),
            moves AS (
                SELECT a.id AS account_id, s.staked,
                       CASE WHEN op_kind = 'void' THEN s.staked ELSE COALESCE(p.paid, 0) END AS credit
                    FROM stakes s
                    JOIN wallet_accounts a ON a.name = 'player:' || s.user_id AND a.currency = round_currency
                    LEFT JOIN paid p ON p.user_id = s.user_id),
            entries AS (
                INSERT INTO wallet_entries (tx_id, account_id, bucket, amount)
                SELECT new_tx, account_id, 'held', -staked FROM moves
                UNION ALL SELECT new_tx, account_id, 'available', credit FROM moves WHERE credit <> 0
                UNION ALL SELECT new_tx, round_house, 'available', SUM(staked - credit)::BIGINT FROM moves
                    HAVING op_kind = 'settle' AND SUM(staked - credit) <> 0),
            applied AS (
                UPDATE wallet_accounts a SET held = a.held - m.staked, available = a.available + m.credit
                    FROM moves m WHERE a.id = m.account_id)
            SELECT COALESCE(SUM(staked - credit), 0)::BIGINT INTO house_delta FROM moves;
            IF op_kind = 'settle' AND house_delta <> 0 THEN
                slot := array_position(houses, round_house);
                IF slot IS NULL THEN
                    houses := houses || round_house;
                    deltas := deltas || house_delta;
                ELSE
                    deltas[slot] := deltas[slot] + house_delta;
                END IF;
            END IF;
            UPDATE wallet_holds SET status = CASE WHEN op_kind = 'settle' THEN 'settled' ELSE 'voided' END
                WHERE round_key = op_round AND status = 'held';
            UPDATE wallet_rounds SET status = CASE WHEN op_kind = 'settle' THEN 'settled' ELSE 'voided' END,
                closed_at = now_ms WHERE round_key = op_round;
        END IF;

        -- The record and checkpoint, written with their settlement.
        rec := op->'rec';
        IF rec IS NOT NULL THEN
            INSERT INTO rounds (round_key, table_id, game, record, created_at)
                VALUES (op_round, rec->>'table', rec->>'game', rec->>'record', (rec->>'created_at')::BIGINT)
                ON CONFLICT (round_key) DO NOTHING;
            IF FOUND THEN
                INSERT INTO round_players (round_key, user_id)
                    SELECT DISTINCT op_round, value::BIGINT FROM jsonb_array_elements_text(rec->'players');
            END IF;
            cp := op->'cp';
            IF cp IS NOT NULL THEN
                INSERT INTO table_checkpoints (table_id, game, kind, owner, spec, seq, checkpoint, closed, updated_at)
                    VALUES (cp->>'table', cp->>'game', cp->>'kind', (cp->>'owner')::BIGINT, cp->>'spec',
                            (cp->>'seq')::BIGINT, cp->>'checkpoint', CASE WHEN (cp->>'closed')::BOOLEAN THEN 1 ELSE 0 END,
                            (cp->>'updated_at')::BIGINT)
                    ON CONFLICT (table_id) DO UPDATE SET game = excluded.game, kind = excluded.kind,
                        owner = excluded.owner, spec = excluded.spec, seq = excluded.seq,
                        checkpoint = excluded.checkpoint, closed = excluded.closed, updated_at = excluded.updated_at
                    WHERE table_checkpoints.seq <= excluded.seq;
            END IF;
        END IF;
        RETURN NEXT;
    END LOOP;

    -- The houses' net movements, once each.
    UPDATE wallet_accounts a SET available = a.available + h.delta
        FROM (SELECT unnest(houses) AS id, unnest(deltas) AS delta) h WHERE a.id = h.id;
END $$;
