-- How many goods are on sale and how many are hidden, kept by triggers so
-- that a page of GET /stocks reads its total_items from one row instead of
-- counting the whole catalog on every request (at 100,000 goods the count
-- was the whole cost of a listing: 177 pages/s against 6,700 at 10 goods;
-- docs/BENCHMARKS.md).
--
-- Triggers rather than the pool's own code, so that goods inserted or
-- hidden by any writer (the admin API, SQL by hand, a restore) keep the
-- counts right. Only a change of `deleted` touches the counts row: stock
-- updates by pay (the hot path) fire the update trigger but take no lock
-- on goods_counts, so payments do not queue behind one counter.
CREATE TABLE IF NOT EXISTS goods_counts (
    deleted     TINYINT(1) NOT NULL,
    total       BIGINT     NOT NULL,
    PRIMARY KEY (deleted),
    CONSTRAINT goods_counts_not_negative CHECK (total >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The triggers first, the count after: goods added while this runs on a
-- live shop are counted by a trigger or by the count, never by neither
-- (the count's reads wait for inserts in flight). Until the count row
-- exists, the triggers' updates match nothing.
DELIMITER //
CREATE OR REPLACE TRIGGER goods_counts_after_insert AFTER INSERT ON goods FOR EACH ROW
BEGIN
    UPDATE goods_counts SET total = total + 1 WHERE deleted = NEW.deleted;
END //

CREATE OR REPLACE TRIGGER goods_counts_after_update AFTER UPDATE ON goods FOR EACH ROW
BEGIN
    -- One statement, so both count rows are locked in key order: a hide
    -- and an unhide at the same moment cannot deadlock.
    IF NOT (OLD.deleted <=> NEW.deleted) THEN
        UPDATE goods_counts SET total = total + IF(deleted = NEW.deleted, 1, -1)
            WHERE deleted IN (OLD.deleted, NEW.deleted);
    END IF;
END //

CREATE OR REPLACE TRIGGER goods_counts_after_delete AFTER DELETE ON goods FOR EACH ROW
BEGIN
    UPDATE goods_counts SET total = total - 1 WHERE deleted = OLD.deleted;
END //
DELIMITER ;

INSERT INTO goods_counts (deleted, total)
    SELECT flag.deleted, (SELECT COUNT(*) FROM goods WHERE goods.deleted = flag.deleted)
    FROM (SELECT 0 AS deleted UNION ALL SELECT 1) AS flag
    ON DUPLICATE KEY UPDATE total = VALUES(total);
