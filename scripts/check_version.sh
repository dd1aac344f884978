#!/usr/bin/env bash
# Refuse to build an extension version that cannot be reached by update:
#
#   scripts/check_version.sh VERSION
#
# VERSION (the Makefile's EXTVERSION) must be promo.control's
# default_version, must not be a released version (those are frozen in
# src/sql/released/), and every step from one released version to the next,
# and from the newest released version to VERSION, must have its
# hand-written script src/sql/upgrade/promo--FROM--TO.sql.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=${1:?usage: $0 VERSION}
fail() {
    echo "check_version: $*" >&2
    exit 1
}

control=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" promo.control)
[ "$control" = "$version" ] ||
    fail "promo.control says default_version '$control', the Makefile builds '$version'"

mapfile -t released < <(find src/sql/released -maxdepth 1 -name 'promo--*.sql' \
    | sed 's/.*promo--\(.*\)\.sql$/\1/' | sort -V)
for v in "${released[@]}"; do
    [ "$v" != "$version" ] ||
        fail "version $version is released (src/sql/released/promo--$version.sql); bump EXTVERSION and promo.control"
done
newest=$(printf '%s\n' "${released[@]}" "$version" | sort -V | tail -n 1)
[ "$newest" = "$version" ] ||
    fail "version $version is older than the released version $newest"

steps=("${released[@]}" "$version")
for ((i = 1; i < ${#steps[@]}; i++)); do
    script="src/sql/upgrade/promo--${steps[i-1]}--${steps[i]}.sql"
    [ -f "$script" ] ||
        fail "no upgrade script $script: write one with what changed from ${steps[i-1]} to ${steps[i]}"
done
