#!/usr/bin/env bash
# SQL-level fuzzing: SQLsmith sends random queries over promo's functions
# and the demo shop to a throwaway cluster for a bounded time.
#
#   scripts/fuzz_sql.sh                 (make fuzz-sql)
#
# The database holds promo, a small demo shop (scripts/demo_shop.sql) and
# the edge-case tables of test/fuzz/sql_fixture.sql; SQLsmith connects as
# the read-only role promo_fuzzer, which sees only promo's functions and a
# few helpers (see the fixture).  Fails on a server crash (a backend
# "terminated by signal" in the server log) or on an internal error
# (SQLSTATE XX000) raised in promo's code or in one of its SQL functions;
# other internal errors are printed but do not fail.  Prints the number of
# queries run and the most frequent error messages.
#
# Environment:
#   FUZZ_SQL_SECONDS  how long SQLsmith runs (default 60)
#   FUZZ_SQL_SEED     SQLsmith's random seed (default 1)
#   FUZZ_SQL_USERS    users of the demo shop (default 200)
#   FUZZ_SQL_OUT      directory for the findings and the error counts
#                     (default test/fuzz/sql)
#   PROMO_INSTALLED=1 skip building and installing promo (test.sh sets it)
#   PG_CONFIG, PROMO_PGPORT, KEEP  see scripts/cluster.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

seconds=${FUZZ_SQL_SECONDS:-60}
seed=${FUZZ_SQL_SEED:-1}
users=${FUZZ_SQL_USERS:-200}
out=${FUZZ_SQL_OUT:-test/fuzz/sql}
db=promo_fuzz

command -v sqlsmith >/dev/null 2>&1 || { echo "fuzz_sql: sqlsmith not found (run scripts/deps.sh)" >&2; exit 1; }

# shellcheck source=scripts/cluster.sh
. scripts/cluster.sh

if [ "${PROMO_INSTALLED:-0}" != 1 ]; then
    promo_build_install
fi

cluster_start
mkdir -p "$out"
rm -f "$out"/{sqlsmith.out,sqlsmith.err,internal_errors.txt,promo_errors.txt,crashes.txt,errors.txt}

psql=(psql -X -q -v ON_ERROR_STOP=1)

# Every error report names its SQLSTATE (%e) and source location, so that
# internal errors can be told from the user errors SQLsmith provokes.
# A crashed backend's query is logged from its activity string: keep it whole.
"${psql[@]}" -d postgres \
    -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %e %q%u@%d '" \
    -c "ALTER SYSTEM SET log_error_verbosity = verbose" \
    -c "ALTER SYSTEM SET log_min_error_statement = error" \
    -c "ALTER SYSTEM SET track_activity_query_size = '64kB'"
cluster_pg_ctl restart >/dev/null
"${psql[@]}" -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"${psql[@]}" -d "$db" -c 'CREATE EXTENSION promo'
"${psql[@]}" -d "$db" -v users="$users" -v seed=42 -f scripts/demo_shop.sql
"${psql[@]}" -d "$db" -f test/fuzz/sql_fixture.sql

echo "fuzz_sql: SQLsmith for ${seconds}s (seed $seed)"
status=0
timeout -s INT -k 10 "$seconds" sqlsmith --verbose --exclude-catalog --seed="$seed" \
    --target="host=$PGHOST port=$PGPORT dbname=$db user=promo_fuzzer" \
    >"$out/sqlsmith.out" 2>"$out/sqlsmith.err" || status=$?
# timeout reports 124 when it had to stop SQLsmith, which is the normal end.
if [ "$status" -ne 124 ] && [ "$status" -ne 0 ]; then
    echo "fuzz_sql: sqlsmith stopped with status $status" >&2
    tail -n 20 "$out/sqlsmith.err" >&2
fi

# With --verbose SQLsmith prints one character per query it ran (. ok,
# e error, t timeout, s syntax error, c connection lost), 80 to a line,
# after loading the schema.
queries=$(sed -n '/^Generating indexes/,$p' "$out/sqlsmith.err" | grep -aE '^[.etsc]+$' \
    | tr -d '\n' | wc -c)

# The log holds every failed query (about 1 GB in 15 minutes): read it in
# place, keep only what is reported.
log=$PROMO_PGLOG

# Error reports with SQLSTATE XX000, one block each: the ERROR line and the
# LOCATION, CONTEXT and STATEMENT lines of the same process after it.
awk '
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
        inrep = 0
        if ($5 == "XX000" && $0 ~ / ERROR: /) {
            if (n++) print ""
            pid = $4; inrep = 1
        } else if ($5 == "XX000" && $4 == pid && pid != "") {
            inrep = 1
        } else {
            pid = ""
        }
    }
    inrep { print }
' "$log" >"$out/internal_errors.txt"

# promo raised it when the location is one of its source files or the
# context names one of its SQL or PL/pgSQL functions.
files=$(find src/pg src/core -name '*.c' -printf '%f\n' | sed 's/\./\\./' | paste -sd'|')
funcs=$("${psql[@]}" -At -d "$db" -c \
    "SELECT string_agg(DISTINCT proname, '|') FROM pg_proc WHERE pronamespace = 'promo'::regnamespace")
awk -v RS= -v files="$files" -v funcs="$funcs" '
    $0 ~ ("LOCATION:  [^\n]*, (" files "):") ||
    $0 ~ ("CONTEXT: [^\n]*function \"?(promo\\.)?(" funcs ")[(\"]") {
        print; print ""
    }
' "$out/internal_errors.txt" >"$out/promo_errors.txt"

failed=0
echo "fuzz_sql: $queries queries"
# Crashes: the postmaster's report and the query the process was running.
awk '
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
        keep = (/terminated by signal|PANIC:/ || (keep && /DETAIL:  Failed process was running/))
        if (/terminated by signal|PANIC:/) print ""
    }
    keep { print }
' "$log" >"$out/crashes.txt"
if [ -s "$out/crashes.txt" ]; then
    echo "fuzz_sql: the server crashed:" >&2
    head -c 4000 "$out/crashes.txt" >&2
    failed=1
fi
if [ -s "$out/promo_errors.txt" ]; then
    echo "fuzz_sql: internal errors (XX000) raised by promo:" >&2
    head -n 60 "$out/promo_errors.txt" >&2
    failed=1
fi
other=$(grep -c ' ERROR: ' "$out/internal_errors.txt" || true)
promo=$(grep -c ' ERROR: ' "$out/promo_errors.txt" || true)
if [ "$other" -gt "$promo" ]; then
    echo "fuzz_sql: $((other - promo)) internal errors outside promo (see $out/internal_errors.txt)"
fi

echo "fuzz_sql: most frequent errors:"
grep -oE ' ERROR:  [0-9A-Z]{5}: .*' "$log" | sed 's/ ERROR:  //' | sort | uniq -c | sort -rn \
    >"$out/errors.txt" || true
head -n 15 "$out/errors.txt"
if [ "$queries" -le 0 ]; then
    echo "fuzz_sql: no query ran" >&2
    tail -n 20 "$out/sqlsmith.err" >&2
    failed=1
fi
[ "$failed" -eq 0 ] && echo "fuzz_sql: no crash, no internal error in promo"
exit "$failed"
