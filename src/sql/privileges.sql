
-- ---------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------
--
-- Every role may use the schema: promo's functions run with the caller's
-- privileges (none runs with its owner's rights), so a role reads through them only
-- the tables it could read anyway, under its row-level security policies.

GRANT USAGE ON SCHEMA promo TO PUBLIC;
