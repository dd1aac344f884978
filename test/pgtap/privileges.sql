-- Privileges: promo as ordinary roles.  Every role may use schema promo;
-- promo's functions run as the caller, so a role reads through them only
-- what it may read, filtered by row-level security.  The three roles of the
-- README's "Privileges" section (analyst, trainer, scheduled refresh) and a
-- role with no grants, each created here (and rolled back at the end).
BEGIN;
SELECT plan(23);

\set users 300
\set seed 7
\i scripts/demo_shop.sql

-- Role names unique to this session.
SELECT 'promo_analyst_' || pg_backend_pid() AS analyst,
       'promo_trainer_' || pg_backend_pid() AS trainer,
       'promo_refresh_' || pg_backend_pid() AS refresher,
       'promo_stranger_' || pg_backend_pid() AS stranger \gset
CREATE ROLE :"analyst" NOLOGIN;
CREATE ROLE :"trainer" NOLOGIN;
CREATE ROLE :"refresher" NOLOGIN;
CREATE ROLE :"stranger" NOLOGIN;

-- Run a statement as a role: the first value of its first row as text
-- ('ok' for a statement that returns nothing), or SQLSTATE: message.
CREATE FUNCTION pg_temp.as_role(r name, query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text := 'ok';
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    BEGIN
        IF query ~* '^\s*(select|with)' THEN
            EXECUTE query INTO result;
        ELSE
            EXECUTE query;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        result := SQLSTATE || ': ' || SQLERRM;
    END;
    RESET ROLE;
    RETURN result;
END
$$;

-- Points under row-level security: each role sees the rows it owns.
CREATE SCHEMA priv_test;
CREATE TABLE priv_test.points (owner name, features float8[]);
INSERT INTO priv_test.points
SELECT CASE g % 3 WHEN 0 THEN :'analyst' WHEN 1 THEN :'trainer' ELSE 'someone_else' END,
       ARRAY[(g % 3) * 100 + g % 5, g % 7]::float8[]
FROM generate_series(1, 60) g;
ALTER TABLE priv_test.points ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON priv_test.points USING (owner = current_user);

-- Models, assignments, and a view over them, as a refresh job keeps them.
CREATE TABLE priv_test.models (name text PRIMARY KEY, model promo.model);
INSERT INTO priv_test.models
SELECT 'points', promo.kmeans(features, 2, '{"seed": 1}') FROM priv_test.points;
CREATE TABLE priv_test.assignments (user_id bigint PRIMARY KEY, segment int);
INSERT INTO priv_test.assignments SELECT user_id, 1 FROM promo_demo.users;
CREATE VIEW priv_test.segment_sizes AS
SELECT segment, count(*) AS users FROM priv_test.assignments GROUP BY segment;

-- Analyst: reads the shop, the points, the models and the view.
GRANT USAGE ON SCHEMA promo_demo, priv_test TO :"analyst", :"trainer", :"refresher";
GRANT SELECT ON ALL TABLES IN SCHEMA promo_demo TO :"analyst", :"trainer", :"refresher";
GRANT SELECT ON priv_test.points, priv_test.models, priv_test.segment_sizes
    TO :"analyst", :"trainer";
-- Trainer: also creates tables of models.
GRANT CREATE ON SCHEMA priv_test TO :"trainer";
-- Scheduled refresh: writes the models and assignments it keeps current.
GRANT SELECT, INSERT, UPDATE ON priv_test.models, priv_test.assignments TO :"refresher";
-- Stranger: may look the shop's tables up, but read none of them.
GRANT USAGE ON SCHEMA promo_demo, priv_test TO :"stranger";

SELECT 'promo.user_features(''promo_demo.events'', ''promo_demo.orders'', '
       '''promo_demo.items'', ''2025-01-01'')' AS features_call,
       'priv_test.points'::regclass::oid AS points_oid \gset

-- Views: one reads a table, one calls promo; the stranger may read both.
CREATE VIEW priv_test.feature_rows AS SELECT count(*) AS users FROM :features_call;
GRANT SELECT ON priv_test.segment_sizes, priv_test.feature_rows TO :"stranger";

-- ---------------------------------------------------------------------------
-- Every role
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM pg_proc
           WHERE pronamespace = 'promo'::regnamespace AND prosecdef), 0::bigint,
          'no promo function runs with its owner''s rights (prosecdef): all run as the caller');

SELECT ok(has_schema_privilege(:'stranger', 'promo', 'USAGE'),
          'a new role has USAGE on schema promo');

SELECT is(pg_temp.as_role(:'stranger', $$SELECT promo.cosine('{1,0}', '{2,0}')$$), '1',
          'a new role calls a promo function on its own values');

SELECT is(pg_temp.as_role(:'stranger',
              $$SELECT (promo.kmeans(x, 1)::text::jsonb)->>'n'
                FROM (VALUES ('{1,2}'::float8[]), ('{3,4}')) v(x)$$), '2',
          'a new role runs a promo aggregate on rows it can read');

SELECT matches(pg_temp.as_role(:'stranger', format('SELECT count(*) FROM %s', :'features_call')),
          '^42501: permission denied for table (events|orders|items)$',
          'user_features over tables the role cannot read: permission denied');

SELECT is(pg_temp.as_role(:'stranger',
              format('SELECT promo.kmeans_fit(%s, %L, 2)', :'points_oid', 'features')),
          '42501: permission denied for table points',
          'kmeans_fit over a table the role cannot read: permission denied');

SELECT is(pg_temp.as_role(:'stranger', $$SELECT count(*) FROM promo_demo.users$$),
          '42501: permission denied for table users',
          'the stranger indeed cannot read the shop');

SELECT is(pg_temp.as_role(:'stranger', $$SELECT sum(users) FROM priv_test.segment_sizes$$),
          '300', 'a view reads the tables it names with its owner''s privileges');

SELECT matches(pg_temp.as_role(:'stranger', $$SELECT users FROM priv_test.feature_rows$$),
          '^42501: permission denied for table (events|orders|items)$',
          'a promo function in a view reads its relations with the caller''s privileges');

-- ---------------------------------------------------------------------------
-- Read-only analyst
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.as_role(:'analyst', format('SELECT count(*) FROM %s', :'features_call')),
          (SELECT count(*)::text FROM promo.user_features('promo_demo.events',
              'promo_demo.orders', 'promo_demo.items', '2025-01-01')),
          'analyst: user_features over the shop it can read');

SELECT is(pg_temp.as_role(:'analyst',
              $$SELECT (promo.scaler(features)::text::jsonb)->'count'->>0 FROM priv_test.points$$),
          (SELECT count(*)::text FROM priv_test.points WHERE owner = :'analyst'),
          'analyst: row-level security filters the rows a promo aggregate sees');

SELECT is(pg_temp.as_role(:'analyst',
              $$SELECT (promo.kmeans_fit('priv_test.points', 'features', 1)::text::jsonb)->>'n'$$),
          (SELECT count(*)::text FROM priv_test.points WHERE owner = :'analyst'),
          'analyst: row-level security filters the rows kmeans_fit sees');

SELECT is(pg_temp.as_role(:'analyst',
              $$SELECT (promo.kmeans_fit('priv_test.points', 'features', 1)::text::jsonb)->>'centroids'$$),
          (SELECT (promo.kmeans(features, 1)::text::jsonb)->>'centroids'
           FROM priv_test.points WHERE owner = :'analyst'),
          'analyst: kmeans_fit under row-level security is the fit of the visible rows');

SELECT is(pg_temp.as_role(:'analyst',
              $$SELECT count(promo.predict(m.model, p.features))
                FROM priv_test.models m, priv_test.points p$$),
          (SELECT count(*)::text FROM priv_test.points WHERE owner = :'analyst'),
          'analyst: scores its rows with an existing model');

SELECT is(pg_temp.as_role(:'analyst', $$SELECT sum(users) FROM priv_test.segment_sizes$$),
          '300', 'analyst: reads a view of assignments');

SELECT is(pg_temp.as_role(:'analyst',
              $$CREATE TABLE priv_test.analyst_models AS
                SELECT promo.kmeans(features, 1) AS model FROM priv_test.points$$),
          '42501: permission denied for schema priv_test',
          'analyst: cannot create a table of models');

SELECT is(pg_temp.as_role(:'analyst',
              $$UPDATE priv_test.models SET model = NULL$$),
          '42501: permission denied for table models',
          'analyst: cannot change a model');

-- ---------------------------------------------------------------------------
-- Trainer
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.as_role(:'trainer',
              $$CREATE TABLE priv_test.trainer_models AS
                SELECT promo.kmeans_fit('priv_test.points', 'features', 1) AS model$$),
          'ok', 'trainer: creates a table of models');

SELECT is(pg_temp.as_role(:'trainer',
              $$SELECT (model::text::jsonb)->>'n' FROM priv_test.trainer_models$$),
          (SELECT count(*)::text FROM priv_test.points WHERE owner = :'trainer'),
          'trainer: reads its model back, fitted on the rows it may see');

-- ---------------------------------------------------------------------------
-- Scheduled refresh
-- ---------------------------------------------------------------------------
SELECT is(pg_temp.as_role(:'refresher',
              format($$INSERT INTO priv_test.models
                       SELECT 'features', promo.scaler(ARRAY[views, purchases, monetary]::float8[])
                       FROM %s
                       ON CONFLICT (name) DO UPDATE SET model = excluded.model$$,
                     :'features_call')),
          'ok', 'refresh: retrains a model from the shop');

SELECT is(pg_temp.as_role(:'refresher',
              $$UPDATE priv_test.assignments a SET segment = (f.views > 0)::int
                FROM promo.user_features('promo_demo.events', 'promo_demo.orders',
                                         'promo_demo.items', '2025-01-01') f
                WHERE f.user_id = a.user_id$$),
          'ok', 'refresh: rewrites the assignments');

SELECT is((SELECT count(*) FROM priv_test.models WHERE name = 'features'), 1::bigint,
          'refresh: the retrained model is stored');

SELECT is(pg_temp.as_role(:'refresher',
              $$CREATE TABLE priv_test.refresh_scratch (x int)$$),
          '42501: permission denied for schema priv_test',
          'refresh: cannot create tables');

SELECT * FROM finish();
ROLLBACK;
