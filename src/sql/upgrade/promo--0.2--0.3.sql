-- promo 0.2 -> 0.3: only what changed. Hand-written; the upgrade test checks
-- that 0.2 updated with this script has the catalogue of a fresh 0.3.
\echo Use "ALTER EXTENSION promo UPDATE TO '0.3'" to load this file. \quit

-- Aggregate support functions take a leading underscore, out of the user's way.
ALTER FUNCTION kmeans_accum(internal, float8[], int) RENAME TO _kmeans_accum;
ALTER FUNCTION kmeans_accum(internal, float8[], int, jsonb) RENAME TO _kmeans_accum;
ALTER FUNCTION kmeans_combine(internal, internal) RENAME TO _kmeans_combine;
ALTER FUNCTION kmeans_serialize(internal) RENAME TO _kmeans_serialize;
ALTER FUNCTION kmeans_deserialize(bytea, internal) RENAME TO _kmeans_deserialize;
ALTER FUNCTION kmeans_final(internal) RENAME TO _kmeans_final;
ALTER FUNCTION kmeans_step_accum(float8[], float8[], float8[]) RENAME TO _kmeans_step_accum;
ALTER FUNCTION kmeans_step_accum(float8[], float8[], float8[], float8[]) RENAME TO _kmeans_step_accum;
ALTER FUNCTION kmeans_step_combine(float8[], float8[]) RENAME TO _kmeans_step_combine;
ALTER FUNCTION kmeans_step_final(float8[]) RENAME TO _kmeans_step_final;
ALTER FUNCTION silhouette_accum(float8[], float8[], model) RENAME TO _silhouette_accum;
ALTER FUNCTION silhouette_combine(float8[], float8[]) RENAME TO _silhouette_combine;
ALTER FUNCTION silhouette_final(float8[]) RENAME TO _silhouette_final;
ALTER FUNCTION linreg_accum(float8[], float8, float8[]) RENAME TO _linreg_accum;
ALTER FUNCTION linreg_combine(float8[], float8[]) RENAME TO _linreg_combine;
ALTER FUNCTION linreg_final(float8[]) RENAME TO _linreg_final;
ALTER FUNCTION transitions_accum(float8[], text) RENAME TO _transitions_accum;
ALTER FUNCTION transitions_combine(float8[], float8[]) RENAME TO _transitions_combine;
ALTER FUNCTION transitions_final(float8[]) RENAME TO _transitions_final;
ALTER FUNCTION transitions_sum_accum(float8[], float8[]) RENAME TO _transitions_sum_accum;
ALTER FUNCTION transitions_sum_combine(float8[], float8[]) RENAME TO _transitions_sum_combine;
ALTER FUNCTION transitions_sum_final(float8[]) RENAME TO _transitions_sum_final;
ALTER FUNCTION scaler_accum(float8[], float8[]) RENAME TO _scaler_accum;
ALTER FUNCTION scaler_combine(float8[], float8[]) RENAME TO _scaler_combine;
ALTER FUNCTION scaler_final(float8[]) RENAME TO _scaler_final;

-- k-means: options of kmeans_fit and kmeans_choose_k left NULL take the
-- defaults of promo.kmeans, declared once in C.
CREATE OR REPLACE FUNCTION kmeans_fit(source regclass, features name, k int,
	seed bigint DEFAULT NULL, max_iter int DEFAULT NULL, tol float8 DEFAULT NULL,
	init jsonb DEFAULT NULL, sample_size int DEFAULT NULL,
	progress bool DEFAULT NULL) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_fit'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION kmeans_fit(regclass, name, int, bigint, int, float8, jsonb, int, bool) IS
	'k-means over a table, one parallel scan per iteration; k-means++ or random seeding from a sample of sample_size rows (default 100000), or explicit init centroids; NULL options take the defaults of promo.kmeans';
CREATE OR REPLACE FUNCTION kmeans_choose_k(source regclass, features name,
	k_min int DEFAULT 2, k_max int DEFAULT 10, seed bigint DEFAULT NULL,
	max_iter int DEFAULT NULL, tol float8 DEFAULT NULL, sample_size int DEFAULT NULL,
	OUT k int, OUT inertia float8, OUT silhouette float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_kmeans_choose_k'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;
