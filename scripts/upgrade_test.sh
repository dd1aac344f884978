#!/usr/bin/env bash
# Upgrade test: install the oldest released version of promo, update it to
# the default version, and check that the result has the same objects, with
# the same definitions, as a fresh install.  Needs a running server
# (PGHOST/PGPORT, see scripts/cluster.sh) and promo installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
extdir="$("$PG_CONFIG" --sharedir)/extension"
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" promo.control)
oldest=$(find "$extdir" -maxdepth 1 -name 'promo--*.sql' ! -name 'promo--*--*.sql' \
    | sed 's/.*promo--\(.*\)\.sql$/\1/' | sort -V | head -n 1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql=(psql -X -q -v ON_ERROR_STOP=1)

# Every object of the extension with its full definition, one per line.
describe() {
    "${psql[@]}" -At -d "$1" <<'SQL'
SELECT pg_describe_object(d.classid, d.objid, 0) || ' | ' ||
       CASE d.classid
           WHEN 'pg_proc'::regclass THEN
               coalesce((SELECT pg_get_functiondef(d.objid) FROM pg_proc
                         WHERE oid = d.objid AND prokind <> 'a'), '') ||
               coalesce((SELECT format('%s %s %s %s %s %s', aggtransfn, aggtranstype::regtype,
                                       aggcombinefn, aggfinalfn, aggserialfn, aggdeserialfn)
                         FROM pg_aggregate WHERE aggfnoid = d.objid), '') ||
               coalesce(obj_description(d.objid, 'pg_proc'), '')
           WHEN 'pg_type'::regclass THEN coalesce(obj_description(d.objid, 'pg_type'), '')
           ELSE ''
       END
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'promo'
WHERE d.deptype = 'e'
ORDER BY 1;
SQL
}

for db in promo_upgrade promo_fresh; do
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
echo "upgrade: installing promo $oldest, updating to $default"
"${psql[@]}" -d promo_upgrade -c "CREATE EXTENSION promo VERSION '$oldest'" \
    -c "ALTER EXTENSION promo UPDATE"
"${psql[@]}" -d promo_fresh -c "CREATE EXTENSION promo"

version=$("${psql[@]}" -At -d promo_upgrade -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
if [ "$version" != "$default" ]; then
    echo "upgrade: promo is at version $version after ALTER EXTENSION UPDATE, expected $default" >&2
    exit 1
fi
if ! diff -u <(describe promo_fresh) <(describe promo_upgrade); then
    echo "upgrade: promo updated from $oldest differs from a fresh install of $default" >&2
    exit 1
fi
count=$(describe promo_fresh | wc -l)
echo "upgrade: $oldest -> $default matches a fresh install ($count objects)"
for db in promo_upgrade promo_fresh; do
    "${psql[@]}" -d postgres -c "DROP DATABASE $db"
done
