
-- ---------------------------------------------------------------------
-- k-means
-- ---------------------------------------------------------------------

CREATE FUNCTION _kmeans_accum(state internal, x float8[], k int) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _kmeans_accum(state internal, x float8[], k int, options jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _kmeans_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _kmeans_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'promo_kmeans_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _kmeans_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'promo_kmeans_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _kmeans_final(state internal) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE kmeans(x float8[], k int) (
	SFUNC = _kmeans_accum,
	STYPE = internal,
	COMBINEFUNC = _kmeans_combine,
	SERIALFUNC = _kmeans_serialize,
	DESERIALFUNC = _kmeans_deserialize,
	FINALFUNC = _kmeans_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE AGGREGATE kmeans(x float8[], k int, options jsonb) (
	SFUNC = _kmeans_accum,
	STYPE = internal,
	COMBINEFUNC = _kmeans_combine,
	SERIALFUNC = _kmeans_serialize,
	DESERIALFUNC = _kmeans_deserialize,
	FINALFUNC = _kmeans_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

CREATE FUNCTION kmeans_distance(model model, x float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_kmeans_distance'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION _kmeans_accum(internal, float8[], int) IS
	'transition function of promo.kmeans: keeps the row';
COMMENT ON FUNCTION _kmeans_accum(internal, float8[], int, jsonb) IS
	'transition function of promo.kmeans with options: keeps the row';
COMMENT ON FUNCTION _kmeans_combine(internal, internal) IS
	'combine function of promo.kmeans: appends the rows of a partial state';
COMMENT ON FUNCTION _kmeans_serialize(internal) IS
	'serializes a promo.kmeans state for parallel workers';
COMMENT ON FUNCTION _kmeans_deserialize(bytea, internal) IS
	'deserializes a promo.kmeans state';
COMMENT ON FUNCTION _kmeans_final(internal) IS
	'final function of promo.kmeans: seeds and runs Lloyd iterations';
COMMENT ON AGGREGATE kmeans(float8[], int) IS
	'k-means clustering in memory with k-means++ seeding (seed 0)';
COMMENT ON AGGREGATE kmeans(float8[], int, jsonb) IS
	'k-means clustering in memory; options seed, max_iter, tol, init ("k-means++", "random" or centroids), progress';
COMMENT ON FUNCTION kmeans_distance(model, float8[]) IS
	'Euclidean distance from x to the nearest centroid of a kmeans model';

-- The scale-out path: one Lloyd step as a combinable aggregate, and a driver.

CREATE FUNCTION _kmeans_step_accum(state float8[], x float8[], centroids float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _kmeans_step_accum(state float8[], x float8[], centroids float8[], previous float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _kmeans_step_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _kmeans_step_final(state float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_kmeans_step_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE kmeans_step(x float8[], centroids float8[]) (
	SFUNC = _kmeans_step_accum,
	STYPE = float8[],
	COMBINEFUNC = _kmeans_step_combine,
	FINALFUNC = _kmeans_step_final,
	PARALLEL = SAFE
);

CREATE AGGREGATE kmeans_step(x float8[], centroids float8[], previous float8[]) (
	SFUNC = _kmeans_step_accum,
	STYPE = float8[],
	COMBINEFUNC = _kmeans_step_combine,
	FINALFUNC = _kmeans_step_final,
	PARALLEL = SAFE
);

-- Options left NULL take promo.kmeans's defaults (declared once, in C).
CREATE FUNCTION kmeans_fit(source regclass, features name, k int,
	seed bigint DEFAULT NULL, max_iter int DEFAULT NULL, tol float8 DEFAULT NULL,
	init jsonb DEFAULT NULL, sample_size int DEFAULT NULL,
	progress bool DEFAULT NULL) RETURNS model
	AS 'MODULE_PATHNAME', 'promo_kmeans_fit'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION _kmeans_step_accum(float8[], float8[], float8[]) IS
	'transition function of promo.kmeans_step: assigns the row to its nearest centroid';
COMMENT ON FUNCTION _kmeans_step_accum(float8[], float8[], float8[], float8[]) IS
	'transition function of promo.kmeans_step: assigns the row and compares with the previous centroids';
COMMENT ON FUNCTION _kmeans_step_combine(float8[], float8[]) IS
	'combine function of promo.kmeans_step: adds counts and sums';
COMMENT ON FUNCTION _kmeans_step_final(float8[]) IS
	'final function of promo.kmeans_step: labels the rows still buffered';
COMMENT ON AGGREGATE kmeans_step(float8[], float8[]) IS
	'one Lloyd step: per-centroid counts and sums of the rows nearest to each of the k x d centroids';
COMMENT ON AGGREGATE kmeans_step(float8[], float8[], float8[]) IS
	'one Lloyd step that also counts rows whose nearest centroid changed since the previous centroids';
COMMENT ON FUNCTION kmeans_fit(regclass, name, int, bigint, int, float8, jsonb, int, bool) IS
	'k-means over a table, one parallel scan per iteration; k-means++ or random seeding from a sample of sample_size rows (default 100000), or explicit init centroids; NULL options take the defaults of promo.kmeans';

-- Choosing k.

CREATE FUNCTION _silhouette_accum(state float8[], x float8[], model model) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_silhouette_accum'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _silhouette_combine(a float8[], b float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'promo_silhouette_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION _silhouette_final(state float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_silhouette_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE silhouette(x float8[], model model) (
	SFUNC = _silhouette_accum,
	STYPE = float8[],
	COMBINEFUNC = _silhouette_combine,
	FINALFUNC = _silhouette_final,
	PARALLEL = SAFE
);

CREATE FUNCTION kmeans_choose_k(source regclass, features name,
	k_min int DEFAULT 2, k_max int DEFAULT 10, seed bigint DEFAULT NULL,
	max_iter int DEFAULT NULL, tol float8 DEFAULT NULL, sample_size int DEFAULT NULL,
	OUT k int, OUT inertia float8, OUT silhouette float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'promo_kmeans_choose_k'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION _silhouette_accum(float8[], float8[], model) IS
	'transition function of promo.silhouette';
COMMENT ON FUNCTION _silhouette_combine(float8[], float8[]) IS
	'combine function of promo.silhouette';
COMMENT ON FUNCTION _silhouette_final(float8[]) IS
	'final function of promo.silhouette: the mean';
COMMENT ON AGGREGATE silhouette(float8[], model) IS
	'mean simplified silhouette of rows under a kmeans model: (b - a) / b, a and b the distances to the nearest and second-nearest centroids';
COMMENT ON FUNCTION kmeans_choose_k(regclass, name, int, int, bigint, int, float8, int) IS
	'inertia and simplified silhouette of promo.kmeans_fit for each k from k_min to k_max, one row per k';
