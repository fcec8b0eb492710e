-- 002: the owner's side — admin tokens, the audit log, and the outbox of
-- transaction status events that the dispatcher publishes to customers.

-- A token is shown once at creation ("umkm_<id>_<secret>") and stored only
-- as SHA-256(secret); the id lets the server find the row without comparing
-- against every hash, the hash is then compared in constant time.
CREATE TABLE IF NOT EXISTS admin_tokens (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name          VARCHAR(64)     NOT NULL,
    secret_sha256 BINARY(32)      NOT NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    revoked_at    DATETIME(6)     NULL,
    last_used_at  DATETIME(6)     NULL,
    PRIMARY KEY (id),
    UNIQUE KEY admin_tokens_by_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every admin action, written in the same database transaction as the
-- action itself: who (the token's name), what, on what, the state before
-- and after (JSON text), and when.
CREATE TABLE IF NOT EXISTS audit_log (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    actor         VARCHAR(64)     NOT NULL,
    action        VARCHAR(64)     NOT NULL,
    target        VARCHAR(128)    NOT NULL,
    before_state  LONGTEXT        NULL,
    after_state   LONGTEXT        NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    CONSTRAINT audit_before_is_json CHECK (before_state IS NULL OR JSON_VALID(before_state)),
    CONSTRAINT audit_after_is_json  CHECK (after_state IS NULL OR JSON_VALID(after_state))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The transactional outbox: one row per status change (PAID, VERIFIED,
-- REJECTED), inserted in the same database transaction as the change, so a
-- committed change always has its event. `seq` grows per transaction. The
-- dispatcher publishes rows with published_at NULL in id order and then
-- sets published_at; dying in between means publishing again (at least
-- once), never losing one.
CREATE TABLE IF NOT EXISTS transaction_events (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    transaction_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq             INT             NOT NULL,
    status          ENUM('PAID', 'VERIFIED', 'REJECTED') NOT NULL,
    payload         LONGTEXT        NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    published_at    DATETIME(6)     NULL,
    -- Set with published_at back to NULL when a new subscriber arrives:
    -- nchan keeps messages in memory only, so after an nginx restart a
    -- channel may have lost its current state. The dispatcher then asks
    -- nchan and publishes the newest event again only if the channel is empty.
    resend          TINYINT(1)      NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY transaction_events_seq (transaction_id, seq),
    KEY transaction_events_pending (published_at, id),
    CONSTRAINT transaction_events_transaction FOREIGN KEY (transaction_id) REFERENCES transactions (id),
    CONSTRAINT transaction_events_payload_is_json CHECK (JSON_VALID(payload))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
