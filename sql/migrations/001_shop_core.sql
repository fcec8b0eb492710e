-- 001: the shop core — goods, carts with their lines, and transactions.
--
-- Money is whole Rupiah in BIGINT; quantities are INT. CHECK constraints
-- repeat the service's invariants so that a bug in the application can never
-- write a negative stock or a wrong change amount (MariaDB >= 10.2 and
-- MySQL >= 8.0.16 enforce them).
--
-- Lock order used by every business operation (see fcgi-app/src/store/):
--   carts row (FOR UPDATE) -> goods rows in ascending id (FOR UPDATE).

CREATE TABLE IF NOT EXISTS goods (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- utf8mb4_unicode_ci: ORDER BY name is case-insensitive, as the contract asks.
    name        VARCHAR(255)    NOT NULL COLLATE utf8mb4_unicode_ci,
    stock       BIGINT          NOT NULL,
    price       BIGINT          NOT NULL,
    deleted     TINYINT(1)      NOT NULL DEFAULT 0,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    -- One index per sort key of GET /stocks; the trailing id breaks ties so a
    -- page is read straight off the index.
    KEY goods_on_sale_by_name  (deleted, name, id),
    KEY goods_on_sale_by_price (deleted, price, id),
    KEY goods_on_sale_by_stock (deleted, stock, id),
    CONSTRAINT goods_stock_not_negative CHECK (stock >= 0),
    CONSTRAINT goods_price_not_negative CHECK (price >= 0),
    CONSTRAINT goods_deleted_is_flag    CHECK (deleted IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS carts (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id     BIGINT UNSIGNED NOT NULL,
    status      ENUM('OPEN', 'PAID') NOT NULL DEFAULT 'OPEN',
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY carts_by_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A cart line keeps the price the customer agreed to when adding it; the same
-- goods added again at the same price adds to the line, at a new price it
-- opens a second line.
CREATE TABLE IF NOT EXISTS cart_items (
    cart_id     BIGINT UNSIGNED NOT NULL,
    goods_id    BIGINT UNSIGNED NOT NULL,
    price       BIGINT          NOT NULL,
    quantity    BIGINT          NOT NULL,
    PRIMARY KEY (cart_id, goods_id, price),
    KEY cart_items_by_goods (goods_id),
    CONSTRAINT cart_items_cart  FOREIGN KEY (cart_id)  REFERENCES carts (id),
    CONSTRAINT cart_items_goods FOREIGN KEY (goods_id) REFERENCES goods (id),
    CONSTRAINT cart_items_price_not_negative CHECK (price >= 0),
    CONSTRAINT cart_items_quantity_positive  CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A paid cart becomes a transaction; its lines stay in cart_items. UNIQUE
-- (cart_id) makes a second charge of the same cart impossible even if the
-- service's own check were bypassed.
CREATE TABLE IF NOT EXISTS transactions (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    cart_id         BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    status          ENUM('PAID', 'VERIFIED', 'REJECTED') NOT NULL DEFAULT 'PAID',
    total_amount    BIGINT          NOT NULL,
    payment_amount  BIGINT          NOT NULL,
    return_amount   BIGINT          NOT NULL,
    paid_at         DATETIME(6)     NOT NULL,
    verified_at     DATETIME(6)     NULL,
    note            VARCHAR(1000)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY transactions_one_per_cart (cart_id),
    KEY transactions_by_status (status, paid_at),
    CONSTRAINT transactions_cart FOREIGN KEY (cart_id) REFERENCES carts (id),
    CONSTRAINT transactions_total_not_negative CHECK (total_amount >= 0),
    CONSTRAINT transactions_payment_covers     CHECK (payment_amount >= total_amount),
    CONSTRAINT transactions_change_is_exact    CHECK (return_amount = payment_amount - total_amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
