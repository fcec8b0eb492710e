-- The pool's MariaDB account (conf/umkm.conf [database] user), made by
-- scripts/stack, scripts/cluster, scripts/install and docker/entrypoint from
-- this one file (scripts/lib/render.sh, umkm_render_app_account fills the
-- @UMKM_...@ placeholders; the password arrives on the client's standard
-- input, never a command line).
--
-- Data rights on its own schema and nothing else: no DDL, so a bug or an
-- injection in the app cannot drop or alter a table; no DELETE, because the
-- shop never deletes a row (goods are hidden, carts and transactions are
-- history). ALTER USER re-applies the password, so a changed password file
-- or secret takes effect on the next start.
CREATE DATABASE IF NOT EXISTS `@UMKM_DB_NAME@` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '@UMKM_APP_USER@'@'@UMKM_APP_HOST@' IDENTIFIED BY '@UMKM_APP_PASSWORD@';
ALTER USER '@UMKM_APP_USER@'@'@UMKM_APP_HOST@' IDENTIFIED BY '@UMKM_APP_PASSWORD@';
GRANT SELECT, INSERT, UPDATE ON `@UMKM_DB_NAME@`.* TO '@UMKM_APP_USER@'@'@UMKM_APP_HOST@';
