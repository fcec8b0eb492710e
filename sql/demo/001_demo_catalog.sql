-- The catalog the paper's load tests ran against (shared/API.md, "Demo
-- catalog"). Applied once, on a fresh state only, by scripts/migrate --demo.
INSERT INTO goods (id, name, stock, price) VALUES
    (1, 'Kopi',          100, 3000),
    (2, 'Pisang Goreng',  45, 1500),
    (3, 'Bakwan',         50, 1500),
    (4, 'Teh manis',     100, 2000),
    (5, 'Teh tawar',     100, 1000),
    (6, 'Pisang Keju',    25, 2500),
    (7, 'Lumpia Udang',   30, 2500);
