-- promo 0.2 -> 0.3: only what changed. Hand-written; the upgrade test checks
-- that 0.2 updated with this script has the catalogue of a fresh 0.3.
\echo Use "ALTER EXTENSION promo UPDATE TO '0.3'" to load this file. \quit
