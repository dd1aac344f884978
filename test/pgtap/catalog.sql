-- Catalogue rules every promo object keeps: comments, volatility and
-- parallel labels, combinable aggregates over real SQL state types, and
-- functions that run as their caller.
BEGIN;
SELECT plan(10);

CREATE TEMP VIEW promo_objects AS
SELECT p.oid, p.proname, p.proargtypes, p.prokind, p.provolatile, p.proparallel, p.prosecdef,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'promo'
WHERE d.deptype = 'e';

-- The refresh pipeline of campaigns writes the plan through temporary
-- tables: VOLATILE and PARALLEL UNSAFE, outside the rules below.
CREATE TEMP VIEW promo_pipeline AS
SELECT * FROM promo_objects
WHERE proname ~ '^_campaign' OR proname IN ('refresh', '_basket_columns');

SELECT cmp_ok((SELECT count(*) FROM promo_objects), '>=', 10::bigint,
              'the extension owns its functions and aggregates');

SELECT is_empty($$SELECT proname FROM promo_objects WHERE comment IS NULL$$,
                'every function and aggregate has a comment');

SELECT is_empty($$SELECT t.typname FROM pg_type t
                  JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
                  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'promo'
                  WHERE d.deptype = 'e' AND obj_description(t.oid, 'pg_type') IS NULL$$,
                'every type has a comment');

SELECT is_empty($$SELECT proname FROM promo_pipeline
                  WHERE provolatile <> 'v' OR proparallel <> 'u'$$,
                'the refresh pipeline is VOLATILE and PARALLEL UNSAFE');

SELECT is_empty($$SELECT proname FROM promo_objects
                  WHERE oid NOT IN (SELECT oid FROM promo_pipeline)
                    AND proparallel <> CASE WHEN 'regclass'::regtype = ANY (proargtypes)
                                            THEN 'r' ELSE 's' END$$,
                'functions reading a table given as regclass (perhaps a temporary one) are PARALLEL RESTRICTED, all others PARALLEL SAFE');

SELECT is_empty($$SELECT proname FROM promo_objects WHERE prosecdef$$,
                'every function runs as its caller (none is security definer)');

SELECT is_empty($$SELECT proname FROM promo_objects
                  WHERE prokind = 'f' AND provolatile <> 'i'
                    AND oid NOT IN (SELECT oid FROM promo_pipeline)
                    AND NOT 'regclass'::regtype = ANY (proargtypes)$$,
                'functions that do not read a table are IMMUTABLE');

SELECT is_empty($$SELECT o.proname FROM promo_objects o
                  JOIN pg_aggregate a ON a.aggfnoid = o.oid
                  WHERE a.aggcombinefn = 0$$,
                'every aggregate has a combine function');

SELECT is_empty($$SELECT o.proname FROM promo_objects o
                  JOIN pg_aggregate a ON a.aggfnoid = o.oid
                  WHERE a.aggtranstype = 'internal'::regtype
                    AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)$$,
                'aggregates with an internal state serialize it');

SELECT bag_eq($$SELECT o.proname::text FROM promo_objects o
               JOIN pg_aggregate a ON a.aggfnoid = o.oid
               WHERE a.aggtranstype <> 'internal'::regtype$$,
              ARRAY['linreg', 'scaler', 'kmeans_step', 'kmeans_step', 'logreg_step', '_logreg_start', 'silhouette', 'transitions', 'transitions_sum',
                    'log_loss', 'brier', 'calibration', 'regression_metrics'],
              'small-state aggregates keep their state in a real SQL type');

SELECT * FROM finish();
ROLLBACK;
