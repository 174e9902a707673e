-- memcache 1.0 -> 1.1
-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION memcache UPDATE TO '1.1'" to load this file. \quit

-- The objects 1.1 adds or changes go here, and into sql/memcache--1.1.sql
-- (the full 1.1 script a fresh CREATE EXTENSION runs) when 1.1 becomes
-- default_version; test/integration/upgrade.sh checks that both give the
-- same objects. Revoke EXECUTE from PUBLIC on each new function, as 1.0
-- does on all of its own, and only on the new ones (a 1.0 function the
-- administrator granted to PUBLIC keeps its grant).
