-- Segmentation on the demo shop: k-means on behaviour features recovers
-- the hidden segments when the shop's segments are well separated (no
-- within-segment spread, enough events per user), and segment profiles
-- describe the clusters.
BEGIN;
SELECT plan(10);

\set users 3000
\set seed 7
\set spread 0
\set activity 4
\i scripts/demo_shop.sql

\i scripts/demo_segment_features.sql
CREATE TABLE seg_z AS
SELECT f.user_id, t.segment AS truth, f.x AS z
FROM promo_demo.segment_features f JOIN promo_demo.truth t USING (user_id);

-- Adjusted Rand index of two labelings (truth, cluster) of the same users.
CREATE FUNCTION pg_temp.ari(labels regclass) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    result float8;
BEGIN
    EXECUTE format($q$
        WITH c AS (SELECT truth, cluster, count(*)::float8 AS n FROM %1$s GROUP BY 1, 2),
             s AS (SELECT sum(n * (n - 1) / 2) AS pairs_both,
                          (SELECT sum(m * (m - 1) / 2) FROM (SELECT sum(n) AS m FROM c GROUP BY truth) a) AS pairs_truth,
                          (SELECT sum(m * (m - 1) / 2) FROM (SELECT sum(n) AS m FROM c GROUP BY cluster) b) AS pairs_cluster,
                          sum(n) * (sum(n) - 1) / 2 AS pairs
                   FROM c)
        SELECT (pairs_both - pairs_truth * pairs_cluster / pairs)
               / (0.5 * (pairs_truth + pairs_cluster) - pairs_truth * pairs_cluster / pairs)
        FROM s$q$, labels) INTO result;
    RETURN result;
END $$;

CREATE TABLE seg_memory AS
SELECT user_id, truth, promo.predict(m, z)::int AS cluster
FROM seg_z, (SELECT promo.kmeans(z, 5, '{"seed": 1}') AS m FROM seg_z) s;
SELECT diag('adjusted Rand index, in memory: ' || round(pg_temp.ari('seg_memory')::numeric, 4));
SELECT cmp_ok(pg_temp.ari('seg_memory'), '>=', 0.9::float8,
              'in-memory k-means recovers the demo segments (adjusted Rand index >= 0.9)');

CREATE TABLE seg_scaleout AS
SELECT user_id, truth, promo.predict(m, z)::int AS cluster
FROM seg_z, (SELECT promo.kmeans_fit('seg_z', 'z', 5, seed => 1) AS m) s;
SELECT diag('adjusted Rand index, kmeans_fit: ' || round(pg_temp.ari('seg_scaleout')::numeric, 4));
SELECT cmp_ok(pg_temp.ari('seg_scaleout'), '>=', 0.9::float8,
              'kmeans_fit recovers the demo segments (adjusted Rand index >= 0.9)');

SELECT is((SELECT promo.kmeans(z, 5, '{"seed": 1}')::text FROM seg_z),
          (SELECT promo.kmeans(z, 5, '{"seed": 1}')::text FROM seg_z),
          'the same seed gives the same segments');

CREATE TABLE seg_assign AS SELECT user_id, cluster AS segment FROM seg_memory;
CREATE TABLE seg_profiles AS
SELECT * FROM promo.segment_profiles('seg_assign', 'promo_demo.events', 'promo_demo.orders',
                                     'promo_demo.items', '2025-01-01');
SELECT is((SELECT count(*) FROM seg_profiles), 5::bigint, 'one profile per segment');
SELECT is((SELECT sum(users) FROM seg_profiles), 3000::numeric, 'profiles cover every user');
SELECT ok((SELECT abs(sum(share) - 1) < 1e-12 FROM seg_profiles), 'shares add up to 1');

SELECT is_empty($$SELECT segment FROM seg_profiles
                  WHERE NOT tier_mix ?& ARRAY['high', 'normal', 'low']$$,
                'tier_mix names all three tiers in every segment');

-- The same profiles from features already computed, for every user.
CREATE TABLE seg_features AS
SELECT * FROM promo.user_features('promo_demo.events', 'promo_demo.orders', 'promo_demo.items',
                                  '2025-01-01', users => 'promo_demo.users');
SELECT is((SELECT count(*) FROM seg_features), 3000::bigint,
          'user_features with the users relation has a row for every user');
SELECT is_empty($$SELECT * FROM promo.segment_profiles('seg_assign', 'seg_features')
                  EXCEPT ALL SELECT * FROM seg_profiles$$,
                'profiles from computed features equal profiles from events, orders and items');

-- The cluster holding most loyal high spenders (truth 2) spends the most.
SELECT is((SELECT segment FROM seg_profiles ORDER BY monetary DESC LIMIT 1),
          (SELECT cluster FROM seg_memory WHERE truth = 2 GROUP BY cluster ORDER BY count(*) DESC LIMIT 1),
          'the loyal high spenders'' cluster has the highest average spend');

SELECT * FROM finish();
ROLLBACK;
