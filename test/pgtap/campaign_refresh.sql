-- promo.refresh as readers and schedulers see it: a reader in another
-- session sees the old plan while a refresh is open and the new one after
-- it commits, never a mix; pg_cron runs a scheduled refresh.  The setup is
-- committed (the other sessions must see it) and removed at the end.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
-- libpq connection strings (not SQL) of this server: this database and the
-- cron database, through the socket directory the test cluster made.
CREATE TEMP TABLE cr_conn AS
SELECT format('host=%s port=%s dbname=%s', h, current_setting('port'), current_database()) AS here,
       format('host=%s port=%s dbname=postgres', h, current_setting('port')) AS cron
FROM (SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS h) s;
DROP SCHEMA IF EXISTS cr_shop CASCADE;
CREATE SCHEMA cr_shop;
SELECT setseed(0.5) \g /dev/null
CREATE TABLE cr_shop.users AS
SELECT g::bigint AS user_id, ARRAY[random() * 2 - 1]::float8[] AS x
FROM generate_series(1, 1000) g;
CREATE TABLE cr_shop.history AS
SELECT 'past' AS campaign, u.user_id, CASE WHEN u.user_id % 2 = 0 THEN 'cr_pct' END AS offer_id,
       c.converted, CASE WHEN c.converted THEN 45.0 ELSE 0 END AS revenue,
       CASE WHEN c.converted AND u.user_id % 2 = 0 THEN 5.0 ELSE 0 END AS discount_cost
FROM cr_shop.users u
CROSS JOIN LATERAL (SELECT random() < 0.2 + 0.25 * (u.user_id % 2 = 0)::int * (1 + u.x[1]) / 2
                    AS converted) c;
DELETE FROM promo.campaigns WHERE campaign = 'cr';
INSERT INTO promo.campaigns (campaign, budget, offer_history, features, margin_rate)
VALUES ('cr', 200, 'cr_shop.history', 'cr_shop.users', 0.5);
INSERT INTO promo.offers (offer_id, campaign, kind, pct) VALUES ('cr_pct', 'cr', 'percent_off', 0.1);
CALL promo.refresh('cr');

BEGIN;
SELECT plan(7);

CREATE TEMP TABLE cr_first AS
SELECT refreshed_at, count(*) AS n, count(offer_id) AS given
FROM promo.assignments WHERE campaign = 'cr' GROUP BY refreshed_at;
SELECT is((SELECT n FROM cr_first), 1000::bigint, 'the plan has a row per user');
COMMIT;

-- Another session refreshes with a larger budget and holds its transaction open.
SELECT dblink_connect('cr_other', (SELECT here FROM cr_conn)) \g /dev/null
SELECT dblink_exec('cr_other', 'BEGIN') \g /dev/null
SELECT dblink_exec('cr_other', 'UPDATE promo.campaigns SET budget = 400 WHERE campaign = ''cr''') \g /dev/null
SELECT dblink_exec('cr_other', 'CALL promo.refresh(''cr'')') \g /dev/null

BEGIN;
SELECT is((SELECT count(*) FROM promo.assignments WHERE campaign = 'cr'
           AND refreshed_at = (SELECT refreshed_at FROM cr_first)),
          1000::bigint, 'during another session''s refresh a reader sees the whole old plan');
SELECT is((SELECT count(offer_id) FROM promo.assignments WHERE campaign = 'cr'),
          (SELECT given FROM cr_first), 'and the old plan''s offers');
COMMIT;

SELECT dblink_exec('cr_other', 'COMMIT') \g /dev/null
SELECT dblink_disconnect('cr_other') \g /dev/null

BEGIN;
SELECT is((SELECT count(*) FROM promo.assignments WHERE campaign = 'cr'
           AND refreshed_at > (SELECT refreshed_at FROM cr_first)),
          1000::bigint, 'after the commit a reader sees the whole new plan');
SELECT cmp_ok((SELECT count(offer_id) FROM promo.assignments WHERE campaign = 'cr'),
              '>', (SELECT given FROM cr_first), 'with the larger budget''s offers');
COMMIT;

-- pg_cron (in the cluster's cron database) runs a refresh scheduled every minute.
CREATE TEMP TABLE cr_before AS SELECT refreshed_at FROM promo._campaign_runs WHERE campaign = 'cr';
SELECT dblink_exec((SELECT cron FROM cr_conn), 'CREATE EXTENSION IF NOT EXISTS pg_cron') \g /dev/null
CREATE TEMP TABLE cr_job AS
SELECT * FROM dblink((SELECT cron FROM cr_conn),
    format('SELECT cron.schedule_in_database(%L, %L, %L, %L)', 'promo-test-refresh',
           '* * * * *', 'CALL promo.refresh(''cr'')', current_database()))
    AS t(jobid bigint);
-- Wait (at most 90 s) for the job's first run to finish.
DO $$
BEGIN
	FOR i IN 1..90 LOOP
		EXIT WHEN (SELECT count(*) FROM dblink((SELECT cron FROM cr_conn),
					   format('SELECT status FROM cron.job_run_details WHERE jobid = %L '
							  'AND status IN (''succeeded'', ''failed'')',
							  (SELECT jobid FROM cr_job))) AS t(status text)) > 0;
		PERFORM pg_sleep(1);
	END LOOP;
END
$$;

BEGIN;
SELECT is((SELECT string_agg(status, ',') FROM dblink((SELECT cron FROM cr_conn),
              format('SELECT status FROM cron.job_run_details WHERE jobid = %L LIMIT 1',
                     (SELECT jobid FROM cr_job))) AS t(status text)),
          'succeeded', 'pg_cron ran the scheduled refresh');
SELECT cmp_ok((SELECT refreshed_at FROM promo._campaign_runs WHERE campaign = 'cr'),
              '>', (SELECT refreshed_at FROM cr_before), 'and the plan was rebuilt');
SELECT * FROM finish();
COMMIT;

SELECT * FROM dblink((SELECT cron FROM cr_conn),
                      format('SELECT cron.unschedule(%L::bigint)', (SELECT jobid FROM cr_job)))
    AS t(unscheduled boolean) \g /dev/null
DELETE FROM promo.campaigns WHERE campaign = 'cr';
DROP SCHEMA cr_shop CASCADE;
