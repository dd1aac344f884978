#!/usr/bin/env bash
# Install the Debian packages needed to build and test promo.
#
#   scripts/deps.sh           build + test dependencies
#   scripts/deps.sh --bench   also the benchmark-only tools
#
# Only missing packages are installed; `apt-get update` runs only when
# something is missing. Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

usage() {
    echo "usage: $0 [--bench]" >&2
}

packages=(
    build-essential
    postgresql-15
    postgresql-server-dev-15
    libopenblas-serial-dev      # serial OpenBLAS (libopenblas + cblas.h)
    liblapacke-dev              # only for the lapack.h header
    r-mathlib                   # libRmath: t and F distributions
    postgresql-15-cron          # pg_cron, preloaded by the test cluster
    clang-14                    # the libFuzzer run over the core (make fuzz)
    libclang-rt-14-dev          # libFuzzer and sanitizer runtimes
    sqlsmith                    # SQL-level fuzzing (make fuzz-sql)
    pgtap                       # pulls in postgresql-15-pgtap and pg_prove
    postgresql-15-pgtap
    libtap-parser-sourcehandler-pgtap-perl  # provides /usr/bin/pg_prove
)

bench_packages=(
    python3-numpy
    python3-psycopg2
    python3-scipy
    python3-sklearn
    hyperfine
)

for arg in "$@"; do
    case "$arg" in
        --bench) packages+=("${bench_packages[@]}") ;;
        -h|--help) usage; exit 0 ;;
        *) usage; exit 2 ;;
    esac
done

is_installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = installed ]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: dpkg-query not found; this script supports Debian-based systems only." >&2
    echo "deps.sh: install these packages by other means: ${packages[*]}" >&2
    exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps.sh: all ${#packages[@]} packages already installed"
    exit 0
fi

echo "deps.sh: installing missing packages: ${missing[*]}"

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps.sh: not root and sudo is not available; run as root:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    # Without a terminal (CI, no stdin) never wait for a password prompt.
    if [ -t 0 ]; then
        as_root=(sudo)
    else
        as_root=(sudo -n)
    fi
fi

apt_env=(env DEBIAN_FRONTEND=noninteractive)

"${as_root[@]}" "${apt_env[@]}" apt-get update -q
"${as_root[@]}" "${apt_env[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if [ ${#still_missing[@]} -ne 0 ]; then
    echo "deps.sh: packages still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
echo "deps.sh: done"
