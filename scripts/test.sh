#!/usr/bin/env bash
# Build promo and run all of its tests against a throwaway cluster:
#
#   unittest      C unit tests of the core         (make unittest)
#   fuzz          libFuzzer over the core, 15 s    (make fuzz)
#   fuzz-sql      SQLsmith over promo, 60 s, on its own cluster (make fuzz-sql)
#   installcheck  pg_regress, sql/*.sql vs expected/*.out
#   pgtap         pg_prove on test/pgtap/*.sql in database promo_tap
#   doctest       scripts/doc_test.sh: README's sql blocks and reference table
#   upgrade       scripts/upgrade_test.sh, when present and executable
#
# Installs missing Debian packages first (scripts/deps.sh). A failed setup
# step (packages, build, install, cluster start) stops the run; the test
# stages are independent and all run. The last line is "N passed, M failed"
# counting stages. Exits non-zero if anything failed.
#
# Environment: PG_CONFIG, PROMO_PGPORT, KEEP=1 (see scripts/cluster.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

passed=0
failed=0
failed_names=()
skipped_names=()

summary() {
    echo
    echo "==> summary"
    [ ${#skipped_names[@]} -eq 0 ] || echo "skipped: ${skipped_names[*]}"
    [ ${#failed_names[@]} -eq 0 ] || echo "FAILED: ${failed_names[*]}"
    echo "$passed passed, $failed failed"
}

# Runs last (after the cluster is stopped), so the count is the final line.
on_exit() {
    local status=$?
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
        failed_names+=("(aborted, exit status $status)")
    fi
    summary
}
trap on_exit EXIT

stage_pass() {
    echo "--> $1: ok"
    passed=$((passed + 1))
}

stage_fail() {
    echo "--> $1: FAILED" >&2
    failed=$((failed + 1))
    failed_names+=("$1")
}

stage_skip() {
    echo "--> $1: skipped ($2)"
    skipped_names+=("$1")
}

# A setup step that everything after it needs: stop on failure.
setup_fail() {
    echo "test.sh: $1 failed; not running the remaining stages" >&2
    stage_fail "$1"
    exit 1
}

# ---- setup ---------------------------------------------------------------

echo "==> dependencies"
scripts/deps.sh || setup_fail deps

# shellcheck source=scripts/cluster.sh
. scripts/cluster.sh

promo_build_install || setup_fail build

# ---- unit tests (no server needed) ---------------------------------------

echo "==> unittest"
if ! compgen -G 'test/unit/*.c' >/dev/null; then
    stage_skip unittest "no test/unit/*.c"
elif make unittest PG_CONFIG="$PG_CONFIG"; then
    stage_pass unittest
else
    stage_fail unittest
fi

echo "==> fuzz"
if make fuzz PG_CONFIG="$PG_CONFIG"; then
    stage_pass fuzz
else
    stage_fail fuzz
fi

echo "==> fuzz-sql"
if KEEP=0 PROMO_INSTALLED=1 FUZZ_SQL_SECONDS=60 scripts/fuzz_sql.sh; then
    stage_pass fuzz-sql
else
    stage_fail fuzz-sql
fi

# ---- server-side tests ---------------------------------------------------

echo "==> starting a throwaway cluster"
cluster_start || setup_fail cluster

echo "==> installcheck"
if ! compgen -G 'sql/*.sql' >/dev/null; then
    stage_skip installcheck "no sql/*.sql"
else
    rm -f regression.diffs regression.out
    if make installcheck PG_CONFIG="$PG_CONFIG"; then
        stage_pass installcheck
    else
        if [ -s regression.diffs ]; then
            echo "---- regression.diffs ----"
            cat regression.diffs
            echo "---- end of regression.diffs ----"
        fi
        stage_fail installcheck
    fi
fi

run_pgtap() {
    local -a psql=(psql -X -q -v ON_ERROR_STOP=1)
    "${psql[@]}" -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS promo_tap' \
        -c 'CREATE DATABASE promo_tap' || return 1
    "${psql[@]}" -d promo_tap -c 'CREATE EXTENSION pgtap' \
        -c 'CREATE EXTENSION promo' || return 1
    pg_prove -d promo_tap test/pgtap/*.sql || return 1
}

echo "==> pgtap"
if ! compgen -G 'test/pgtap/*.sql' >/dev/null; then
    stage_skip pgtap "no test/pgtap/*.sql"
elif ! command -v pg_prove >/dev/null 2>&1; then
    echo "pg_prove not found (run scripts/deps.sh)" >&2
    stage_fail pgtap
elif run_pgtap; then
    stage_pass pgtap
else
    stage_fail pgtap
fi

echo "==> doctest"
if scripts/doc_test.sh; then
    stage_pass doctest
else
    stage_fail doctest
fi

echo "==> upgrade"
if [ -f scripts/upgrade_test.sh ] && [ -x scripts/upgrade_test.sh ]; then
    if scripts/upgrade_test.sh; then
        stage_pass upgrade
    else
        stage_fail upgrade
    fi
elif [ -f scripts/upgrade_test.sh ]; then
    stage_skip upgrade "scripts/upgrade_test.sh is not executable"
else
    stage_skip upgrade "no scripts/upgrade_test.sh"
fi

[ "$failed" -eq 0 ]
