#!/usr/bin/env bash
# Build promo, start a throwaway cluster, generate a demo shop and show what
# the extension does with it.
#
#   scripts/demo.sh                  run and clean up
#   KEEP=1 scripts/demo.sh           leave the cluster running to explore
#
# Environment:
#   PROMO_DEMO_USERS  number of generated users (default 10000)
#   PROMO_DEMO_SEED   random seed of the generator (default 42)
#   PG_CONFIG, PROMO_PGPORT, KEEP  see scripts/cluster.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

users=${PROMO_DEMO_USERS:-10000}
seed=${PROMO_DEMO_SEED:-42}
shop_sql=scripts/demo_shop.sql
demo_sql=scripts/demo.sql

missing=0
for f in "$shop_sql" "$demo_sql"; do
    if [ ! -f "$f" ]; then
        echo "demo.sh: $f is missing" >&2
        missing=1
    fi
done
[ "$missing" = 0 ] || exit 1

echo "==> dependencies"
scripts/deps.sh

# shellcheck source=scripts/cluster.sh
. scripts/cluster.sh

promo_build_install

echo "==> starting a throwaway cluster"
export PROMO_KEEP_DB=promo_demo
# The printed connect line finds the demo tables by bare name.
export PROMO_KEEP_PGOPTIONS='-c search_path=promo_demo,public'
cluster_start

psql=(psql -X -v ON_ERROR_STOP=1)

echo "==> creating database promo_demo"
"${psql[@]}" -q -d postgres -c 'SET client_min_messages = warning' \
    -c 'DROP DATABASE IF EXISTS promo_demo' -c 'CREATE DATABASE promo_demo'
"${psql[@]}" -q -d promo_demo -c 'CREATE EXTENSION promo'

echo "==> generating the demo shop ($users users, seed $seed)"
"${psql[@]}" -q -d promo_demo -v users="$users" -v seed="$seed" -f "$shop_sql"

echo "==> demo"
"${psql[@]}" -d promo_demo -f "$demo_sql"
