#!/usr/bin/env bash
# Upgrade test: install each released version of promo, update it to the
# default version through the hand-written upgrade scripts, and check that
# the result has the same objects, with the same definitions, as a fresh
# install.  Needs a running server (PGHOST/PGPORT, see scripts/cluster.sh)
# and promo installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
extdir="$("$PG_CONFIG" --sharedir)/extension"
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" promo.control)
mapfile -t released < <(find "$extdir" -maxdepth 1 -name 'promo--*.sql' ! -name 'promo--*--*.sql' \
    | sed 's/.*promo--\(.*\)\.sql$/\1/' | sort -V | grep -vxF "$default")
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every object of the extension with its full definition, comment and
# privileges, one per line (a multi-line definition stays on its line), then
# the privileges and comment of the extension's schema.
describe() {
    "${psql[@]}" -At -d "$1" <<'SQL'
SELECT regexp_replace(pg_describe_object(d.classid, d.objid, 0) || ' | ' ||
       CASE d.classid
           WHEN 'pg_proc'::regclass THEN
               coalesce((SELECT pg_get_functiondef(d.objid) FROM pg_proc
                         WHERE oid = d.objid AND prokind <> 'a'), '') ||
               coalesce((SELECT format('%s %s %s %s %s %s %s %s', aggtransfn, aggtranstype::regtype,
                                       aggcombinefn, aggfinalfn, aggserialfn, aggdeserialfn,
                                       aggfinalmodify, agginitval)
                         FROM pg_aggregate WHERE aggfnoid = d.objid), '') ||
               coalesce((SELECT proacl::text FROM pg_proc WHERE oid = d.objid), '')
           WHEN 'pg_type'::regclass THEN
               coalesce((SELECT typacl::text FROM pg_type WHERE oid = d.objid), '')
           WHEN 'pg_class'::regclass THEN
               coalesce((SELECT relkind::text || ' ' || coalesce(relacl::text, '') || ' ' ||
                                coalesce(pg_get_viewdef(c.oid), '')
                         FROM pg_class c WHERE c.oid = d.objid), '') ||
               coalesce((SELECT string_agg(format('%s %s %s %s %s', attname,
                                                  format_type(atttypid, atttypmod), attnotnull,
                                                  pg_get_expr(ad.adbin, ad.adrelid),
                                                  col_description(attrelid, attnum)),
                                           ', ' ORDER BY attnum)
                         FROM pg_attribute a
                         LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                         WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped), '') ||
               coalesce((SELECT string_agg(pg_get_constraintdef(oid), ', ' ORDER BY conname)
                         FROM pg_constraint WHERE conrelid = d.objid), '')
           ELSE ''
       END || ' | ' || coalesce(obj_description(d.objid, d.classid::regclass::name), ''),
       '\s+', ' ', 'g')
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'promo'
WHERE d.deptype = 'e'
UNION ALL
SELECT 'schema ' || nspname || ' | ' || coalesce(nspacl::text, '') || ' | ' ||
       coalesce(obj_description(n.oid, 'pg_namespace'), '')
FROM pg_namespace n JOIN pg_extension e ON e.extnamespace = n.oid AND e.extname = 'promo'
ORDER BY 1;
SQL
}

"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS promo_fresh" -c "CREATE DATABASE promo_fresh"
"${psql[@]}" -d promo_fresh -c "CREATE EXTENSION promo"
fresh=$(describe promo_fresh)
count=$(printf '%s\n' "$fresh" | wc -l)
[ ${#released[@]} -gt 0 ] || { echo "upgrade: no released version is installed" >&2; exit 1; }

for from in "${released[@]}"; do
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS promo_upgrade" -c "CREATE DATABASE promo_upgrade"
    echo "upgrade: installing promo $from, updating to $default"
    "${psql[@]}" -d promo_upgrade -c "CREATE EXTENSION promo VERSION '$from'" \
        -c "ALTER EXTENSION promo UPDATE"
    version=$("${psql[@]}" -At -d promo_upgrade -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
    if [ "$version" != "$default" ]; then
        echo "upgrade: promo is at version $version after ALTER EXTENSION UPDATE, expected $default" >&2
        exit 1
    fi
    if ! diff -u <(printf '%s\n' "$fresh") <(describe promo_upgrade); then
        echo "upgrade: promo updated from $from differs from a fresh install of $default" >&2
        exit 1
    fi
    echo "upgrade: $from -> $default matches a fresh install ($count objects)"
done
# Across 0.2 -> 0.3, promo.coefficients gains a column: a view over it stops
# the update with its name; without the view the update goes through and a
# model stored under 0.2 reads back unchanged, without names.
if printf '%s\n' "${released[@]}" | grep -qxF 0.2; then
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS promo_upgrade" -c "CREATE DATABASE promo_upgrade"
    "${psql[@]}" -d promo_upgrade -c "CREATE EXTENSION promo VERSION '0.2'" \
        -c "CREATE TABLE stored AS SELECT m, m::text AS before FROM (SELECT promo.linreg(g * 1.5 + g % 3, ARRAY[g, g % 3]::float8[]) AS m FROM generate_series(1, 20) g) s" \
        -c "CREATE VIEW stored_terms AS SELECT c.* FROM stored, promo.coefficients(m) c"
    if "${psql[@]}" -d promo_upgrade -c "ALTER EXTENSION promo UPDATE" 2>"$work/update.err"; then
        echo "upgrade: 0.2 -> $default went through with a view over promo.coefficients" >&2
        exit 1
    fi
    if ! grep -q "which view public.stored_terms uses" "$work/update.err"; then
        echo "upgrade: the refused update does not name the view:" >&2
        cat "$work/update.err" >&2
        exit 1
    fi
    "${psql[@]}" -d promo_upgrade -c "DROP VIEW stored_terms" -c "ALTER EXTENSION promo UPDATE"
    kept=$("${psql[@]}" -At -d promo_upgrade -c "SELECT m::text = before AND promo.feature_names(m) IS NULL
        AND (SELECT count(*) FILTER (WHERE name IS NULL) = 3 FROM promo.coefficients(m)) FROM stored")
    if [ "$kept" != t ]; then
        echo "upgrade: a model stored under 0.2 changed through the update" >&2
        exit 1
    fi
    echo "upgrade: 0.2 -> $default stops at a view over promo.coefficients; stored models unchanged"
fi
for db in promo_upgrade promo_fresh; do
    "${psql[@]}" -d postgres -c "DROP DATABASE $db"
done
