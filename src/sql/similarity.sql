
-- ---------------------------------------------------------------------
-- Similarity
-- ---------------------------------------------------------------------

CREATE FUNCTION cosine(a float8[], b float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_cosine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION pearson(a float8[], b float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'promo_pearson'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cosine(float8[], float8[]) IS
	'cosine similarity of two vectors of equal length; NULL when either norm is zero';
COMMENT ON FUNCTION pearson(float8[], float8[]) IS
	'Pearson correlation of two vectors of equal length; NULL when either is constant or has fewer than two elements';
