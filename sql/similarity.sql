-- promo.cosine and promo.pearson
SET extra_float_digits = 0;

SELECT promo.cosine('{1,2,3}', '{2,4,6}') AS parallel,
       promo.cosine('{1,0}', '{0,5}') AS orthogonal,
       promo.cosine('{1,2}', '{-1,-2}') AS opposite,
       round(promo.cosine('{1,2,3}', '{3,2,1}')::numeric, 12) AS some_angle;
SELECT promo.pearson('{1,2,3,4}', '{2,4,6,8}') AS linear,
       promo.pearson('{1,2,3,4}', '{8,6,4,2}') AS inverse,
       round(promo.pearson('{1,2,3,4}', '{1,4,9,16}')::numeric, 12) AS quadratic;

-- Large magnitudes neither overflow nor underflow.
SELECT promo.cosine('{1e200,2e200}', '{2e200,4e200}') AS big,
       promo.cosine('{1e-200,2e-200}', '{2e-200,4e-200}') AS small;

-- Undefined values are NULL: zero norm, constant vector, too short, empty.
SELECT promo.cosine('{0,0}', '{1,2}') IS NULL AS zero_norm,
       promo.pearson('{0.1,0.1,0.1}', '{1,2,3}') IS NULL AS constant,
       promo.pearson('{1}', '{2}') IS NULL AS single,
       promo.cosine('{}', '{}') IS NULL AS empty;

-- Reference fixtures from numpy to 1e-12 relative.
\i test/fixtures/similarity.sql
-- A NULL reference means undefined: promo must return NULL there too.
SELECT id,
       coalesce(abs(promo.cosine(a, b) - cosine) <= 1e-12 * abs(cosine),
                promo.cosine(a, b) IS NULL AND cosine IS NULL) AS cosine,
       coalesce(abs(promo.pearson(a, b) - pearson) <= 1e-12 * abs(pearson),
                promo.pearson(a, b) IS NULL AND pearson IS NULL) AS pearson
FROM fixtures.similarity_pairs ORDER BY id;

-- Bad input.
SELECT promo.cosine('{1,2}', '{1,2,3}');
SELECT promo.pearson('{1,NULL}', '{1,2}');
SELECT promo.cosine('{1,NaN}', '{1,2}');
SELECT promo.pearson('{{1,2},{3,4}}', '{1,2,3,4}');
