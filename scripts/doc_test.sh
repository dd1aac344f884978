#!/usr/bin/env bash
# Doc test of README.md:
#
#   1. Every ```sql block runs as written, in README order, against a freshly
#      generated demo shop (scripts/demo_shop.sql alone, default size and
#      seed), with schema promo_demo on the search_path; each block in its
#      own psql session with ON_ERROR_STOP. A block that cannot run there
#      carries a comment "-- doc-test: skip (reason)" and is reported as
#      skipped. Blocks share the database, so a block may use the tables of
#      an earlier one; the promo extension comes from the README's own
#      CREATE EXTENSION.
#   2. The reference table (section "## Reference") lists every user-facing
#      object of schema promo and nothing else: every function, aggregate,
#      type and relation whose name has no leading underscore, except the
#      functions behind a type's input and output, an operator or an
#      operator class, which come with their type or operator.
#
# Needs a running server (PGHOST/PGPORT, see scripts/cluster.sh) with promo
# installed. Usage: scripts/doc_test.sh [README.md]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readme=${1:-README.md}
db=promo_doctest
psql=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"${psql[@]}" -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
echo "doc test: generating the demo shop"
"${psql[@]}" -d "$db" -f scripts/demo_shop.sql

# Split the sql blocks into numbered files; list "file line" per block.
awk -v dir="$work" '
    /^```sql[[:space:]]*$/ { n++; file = sprintf("%s/block%03d.sql", dir, n);
                             print file, NR > (dir "/blocks"); inside = 1; next }
    inside && /^```/       { inside = 0; close(file); next }
    inside                 { print > file }
' "$readme"
[ -s "$work/blocks" ] || { echo "doc test: no sql blocks in $readme" >&2; exit 1; }

ran=0 skipped=0 failed=0
while read -r file line; do
    reason=$(sed -n 's/.*-- doc-test: skip *(\(.*\)).*/\1/p' "$file" | head -n 1)
    if grep -q -- '-- doc-test: skip' "$file"; then
        echo "doc test: $readme:$line skipped (${reason:-no reason given})"
        skipped=$((skipped + 1))
        continue
    fi
    if PGOPTIONS="${PGOPTIONS:-} -c search_path=promo_demo,public -c client_min_messages=warning" \
        "${psql[@]}" -d "$db" -f "$file" >"$work/out" 2>&1; then
        ran=$((ran + 1))
    else
        echo "doc test: $readme:$line FAILED" >&2
        sed 's/^/    /' "$work/out" >&2
        failed=$((failed + 1))
    fi
done <"$work/blocks"

# The reference table against the catalogue.
sed -n '/^## Reference$/,/^## /p' "$readme" \
    | sed -n 's/^| `promo\.\([A-Za-z0-9_]*\).*/\1/p' | sort -u >"$work/documented"
"${psql[@]}" -At -d "$db" >"$work/catalogue" <<'SQL'
WITH support AS (
    SELECT unnest(ARRAY[typinput, typoutput, typreceive, typsend, typmodin, typmodout,
                        typanalyze, typsubscript])::oid AS oid
    FROM pg_type WHERE typnamespace = 'promo'::regnamespace
    UNION SELECT oprcode FROM pg_operator WHERE oprnamespace = 'promo'::regnamespace
    UNION SELECT oprrest FROM pg_operator WHERE oprnamespace = 'promo'::regnamespace
    UNION SELECT oprjoin FROM pg_operator WHERE oprnamespace = 'promo'::regnamespace
    UNION SELECT p.amproc FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily
    WHERE f.opfnamespace = 'promo'::regnamespace
)
SELECT proname FROM pg_proc
WHERE pronamespace = 'promo'::regnamespace AND proname !~ '^_'
  AND oid NOT IN (SELECT oid FROM support)
UNION
SELECT typname FROM pg_type
WHERE typnamespace = 'promo'::regnamespace AND typname !~ '^_' AND typrelid = 0
UNION
SELECT relname FROM pg_class
WHERE relnamespace = 'promo'::regnamespace AND relname !~ '^_' AND relkind IN ('r', 'v', 'm', 'p', 'f')
ORDER BY 1;
SQL
sort -u -o "$work/catalogue" "$work/catalogue"
undocumented=$(comm -13 "$work/documented" "$work/catalogue")
stale=$(comm -23 "$work/documented" "$work/catalogue")
if [ -n "$undocumented" ]; then
    echo "doc test: in schema promo but not in the README's reference table:" $undocumented >&2
    failed=$((failed + 1))
fi
if [ -n "$stale" ]; then
    echo "doc test: in the README's reference table but not in schema promo:" $stale >&2
    failed=$((failed + 1))
fi
echo "doc test: reference table lists $(wc -l <"$work/documented") objects of schema promo"

"${psql[@]}" -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db"
echo "doc test: $ran blocks ran, $skipped skipped, $failed failed"
[ "$failed" -eq 0 ]
