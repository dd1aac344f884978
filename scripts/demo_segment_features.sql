-- scripts/demo_segment_features.sql: behaviour features for segmenting the
-- demo shop, standardized, as promo_demo.segment_features (user_id, x).
-- Used by scripts/demo.sql and test/pgtap/segments.sql, after
-- scripts/demo_shop.sql.
--
-- The features, as a data engineer would write them: activity (log views),
-- funnel rates (view to cart, cart to purchase, smoothed), the price level
-- of viewed items, and the timing of views in the year.
DROP TABLE IF EXISTS promo_demo.segment_features;
CREATE TABLE promo_demo.segment_features AS
SELECT u.user_id,
       ARRAY[ln(1 + count(*) FILTER (WHERE e.event_type = 'view')),
             (count(*) FILTER (WHERE e.event_type = 'cart') + 1.0)
                 / (count(*) FILTER (WHERE e.event_type = 'view') + 10.0),
             (count(*) FILTER (WHERE e.event_type = 'purchase') + 1.0)
                 / (count(*) FILTER (WHERE e.event_type = 'cart') + 3.0),
             coalesce(avg(ln(i.list_price)) FILTER (WHERE e.event_type = 'view'), 4),
             coalesce(avg(extract(doy FROM e.event_time)) FILTER (WHERE e.event_type = 'view'), 90)
       ]::float8[] AS x
FROM promo_demo.users u
LEFT JOIN promo_demo.events e USING (user_id)
LEFT JOIN promo_demo.items i USING (item_id)
GROUP BY u.user_id;
UPDATE promo_demo.segment_features
SET x = promo.standardize(x, (SELECT promo.scaler(x) FROM promo_demo.segment_features));
ANALYZE promo_demo.segment_features;
