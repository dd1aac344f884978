# shellcheck shell=bash
# Throwaway PostgreSQL cluster for tests and the demo. Source this file:
#
#   . scripts/cluster.sh
#   cluster_start          # initdb + start; exports PGHOST PGPORT PGUSER PGDATABASE
#   psql -c 'select 1'
#   cluster_stop           # optional: also done automatically at exit
#
# Also: cluster_info (connection help), cluster_pg_ctl ARGS (pg_ctl on the
# running cluster as the server user), promo_build_install (make + make install).
#
# The cluster lives in a fresh temporary directory, listens only on a unix
# socket inside it, and is stopped and deleted when the calling shell exits.
# With KEEP=1 it is left running and the commands to connect and stop it are
# printed instead.
#
# Environment:
#   PG_CONFIG     pg_config of the server to use
#                 (default /usr/lib/postgresql/15/bin/pg_config)
#   PROMO_PGPORT  port number, used for the socket name (default 54329)
#   KEEP=1        keep the cluster running after the shell exits
#   PROMO_KEEP_DB database named in the printed psql command (default postgres)
#   PROMO_KEEP_PGOPTIONS  PGOPTIONS set in front of the printed psql command
#   PROMO_SHARED_BUFFERS  shared_buffers of the cluster (default 512MB)
#   TMPDIR        where the temporary directory is created (default /tmp)
#
# When run as root the server runs as the `postgres` OS user (initdb refuses
# root); otherwise it runs as the calling user. Either way the database
# superuser is `postgres`.
#
# Besides the libpq variables, cluster_start exports PROMO_CLUSTER_DIR,
# PROMO_PGDATA, PROMO_PGLOG and PROMO_PG_BINDIR for child scripts that need to
# restart the server (see cluster_pg_ctl). Only the shell that called
# cluster_start stops the cluster; a child script may start its own.

: "${PG_CONFIG:=/usr/lib/postgresql/15/bin/pg_config}"

_promo_log() {
    echo "cluster: $*" >&2
}

_promo_is_root() {
    [ "$(id -u)" -eq 0 ]
}

# Run a command as the OS user that owns the server, from a directory that
# user can read (the checkout may not be readable by postgres).
_promo_as_server() {
    if _promo_is_root; then
        if command -v runuser >/dev/null 2>&1; then
            (cd / && runuser -u postgres -- "$@")
        else
            (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")")
        fi
    else
        (cd / && "$@")
    fi
}

_promo_bindir() {
    local bindir
    if [ -x "$PG_CONFIG" ] || command -v "$PG_CONFIG" >/dev/null 2>&1; then
        bindir=$("$PG_CONFIG" --bindir) || return 1
    else
        bindir=/usr/lib/postgresql/15/bin
    fi
    printf '%s\n' "$bindir"
}

# Create the temporary directory, owned by the server user and reachable by
# it, falling back to /tmp when $TMPDIR is not usable. Argument: the port.
_promo_make_tmpdir() {
    local port=$1 base dir sock
    for base in "${TMPDIR:-/tmp}" /tmp; do
        dir=$(mktemp -d "$base/promo-pg.XXXXXX" 2>/dev/null) || continue
        # The socket path must fit in sockaddr_un.sun_path (108 bytes).
        sock="$dir/sock/.s.PGSQL.$port"
        if [ ${#sock} -gt 100 ]; then
            rm -rf "$dir"
            continue
        fi
        if _promo_is_root; then
            chown postgres: "$dir" || { rm -rf "$dir"; return 1; }
        fi
        chmod 0700 "$dir"
        if _promo_as_server test -w "$dir" 2>/dev/null; then
            printf '%s\n' "$dir"
            return 0
        fi
        rm -rf "$dir"
    done
    _promo_log "could not create a temporary directory usable by the server user"
    return 1
}

# Print how to reach and stop the running cluster.
cluster_info() {
    [ -n "${PROMO_PGDATA:-}" ] || { _promo_log "no cluster running"; return 1; }
    local stop env=''
    stop="$PROMO_PG_BINDIR/pg_ctl -D $PROMO_PGDATA -m fast stop"
    [ -z "${PROMO_KEEP_PGOPTIONS:-}" ] || env="PGOPTIONS='$PROMO_KEEP_PGOPTIONS' "
    if _promo_is_root; then
        stop="runuser -u postgres -- $stop"
    fi
    cat <<EOF
PostgreSQL cluster kept running (KEEP=1) in $PROMO_CLUSTER_DIR
  connect: ${env}psql -h $PGHOST -p $PGPORT -U postgres ${1:-postgres}
  stop:    $stop && rm -rf $PROMO_CLUSTER_DIR
  log:     $PROMO_PGLOG
EOF
}

# pg_ctl on the current cluster, as the server user: cluster_pg_ctl restart
cluster_pg_ctl() {
    [ -n "${PROMO_PGDATA:-}" ] || { _promo_log "no cluster running"; return 1; }
    _promo_as_server "$PROMO_PG_BINDIR/pg_ctl" -D "$PROMO_PGDATA" -l "$PROMO_PGLOG" -w -t 120 "$@"
}

_promo_log_tail() {
    local log=$1
    if [ -r "$log" ]; then
        echo "---- last lines of $log ----" >&2
        tail -n 40 "$log" >&2
        echo "---- end of $log ----" >&2
    fi
}

# Stop the server and delete its directory. Safe to call more than once.
cluster_stop() {
    local dir=${_promo_dir:-}
    [ -n "$dir" ] || return 0
    local pg_ctl=$_promo_pg_bindir/pg_ctl data=$dir/data
    if [ -f "$data/postmaster.pid" ]; then
        if ! _promo_as_server "$pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1; then
            _promo_log "fast shutdown failed; forcing an immediate shutdown"
            _promo_as_server "$pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
        fi
    fi
    case "$dir" in
        */promo-pg.*) rm -rf "$dir" ;;
    esac
    _promo_dir='' _promo_pg_bindir=''
    unset PROMO_CLUSTER_DIR PROMO_PGDATA PROMO_PGLOG PROMO_PG_BINDIR
    unset PGHOST PGPORT PGUSER PGDATABASE
}

_promo_return() {
    return "$1"
}

_promo_on_exit() {
    local status=$?
    set +e
    if [ "${KEEP:-0}" = 1 ]; then
        [ -n "${_promo_dir:-}" ] && cluster_info "${PROMO_KEEP_DB:-postgres}"
    else
        cluster_stop
    fi
    if [ -n "${_promo_prev_exit_trap:-}" ]; then
        _promo_return "$status"   # the caller's trap sees the real exit status
        eval "$_promo_prev_exit_trap"
    fi
    exit "$status"
}

_promo_install_traps() {
    # Keep whatever EXIT trap the caller already had and run it after ours.
    local prev
    prev=$(trap -p EXIT)
    if [ -n "$prev" ] && [[ "$prev" != *_promo_on_exit* ]]; then
        # `trap -p` prints: trap -- 'command' EXIT
        local -a words
        eval "words=($prev)"
        _promo_prev_exit_trap=${words[2]}
    fi
    trap _promo_on_exit EXIT
    if [ "${KEEP:-0}" != 1 ]; then
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
}

cluster_start() {
    if [ -n "${_promo_dir:-}" ]; then
        _promo_log "a cluster is already running in $_promo_dir"
        return 1
    fi

    local port=${PROMO_PGPORT:-54329}
    case "$port" in
        ''|*[!0-9]*) _promo_log "PROMO_PGPORT must be a number, got '$port'"; return 1 ;;
    esac

    local bindir
    bindir=$(_promo_bindir) || { _promo_log "cannot run $PG_CONFIG --bindir"; return 1; }
    local tool
    for tool in initdb pg_ctl postgres; do
        if [ ! -x "$bindir/$tool" ]; then
            _promo_log "$bindir/$tool not found (run scripts/deps.sh)"
            return 1
        fi
    done
    local pkglibdir
    pkglibdir=$("$bindir/pg_config" --pkglibdir 2>/dev/null || "$PG_CONFIG" --pkglibdir 2>/dev/null) || pkglibdir=
    if [ -n "$pkglibdir" ] && [ ! -e "$pkglibdir/pg_cron.so" ]; then
        _promo_log "pg_cron is not installed in $pkglibdir (run scripts/deps.sh)"
        return 1
    fi
    if _promo_is_root && ! id postgres >/dev/null 2>&1; then
        _promo_log "running as root but there is no 'postgres' OS user (install postgresql-15)"
        return 1
    fi

    local dir
    dir=$(_promo_make_tmpdir "$port") || return 1
    local data=$dir/data sock=$dir/sock log=$dir/postgres.log
    if ! _promo_as_server mkdir -m 0700 "$sock"; then
        rm -rf "$dir"
        return 1
    fi

    if ! _promo_as_server "$bindir/initdb" -D "$data" -U postgres --auth=trust \
            --no-locale --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
        _promo_log "initdb failed"
        _promo_log_tail "$dir/initdb.log"
        rm -rf "$dir"
        return 1
    fi

    cat >>"$data/postgresql.conf" <<EOF

# ---- promo throwaway test cluster ----
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.host = '$sock'
# 2 parallel workers + the pg_cron launcher, with room to spare
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
fsync = off
full_page_writes = off
synchronous_commit = off
shared_buffers = ${PROMO_SHARED_BUFFERS:-512MB}
work_mem = 64MB
timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF

    if ! _promo_as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
        _promo_log "server failed to start"
        cat "$dir/pg_ctl.log" >&2
        _promo_log_tail "$log"
        _promo_as_server "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$dir"
        return 1
    fi

    _promo_dir=$dir _promo_pg_bindir=$bindir
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSFILE PGPASSWORD PGREQUIRESSL PGSSLMODE
    export PROMO_CLUSTER_DIR=$dir PROMO_PGDATA=$data PROMO_PGLOG=$log PROMO_PG_BINDIR=$bindir
    export PGHOST=$sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres

    _promo_install_traps
    _promo_log "started PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') in $dir (socket $sock, port $port)"
    if [ "${KEEP:-0}" = 1 ]; then
        cluster_info "${PROMO_KEEP_DB:-postgres}"
    fi
}

# Build and install the extension with $PG_CONFIG (shared by test.sh and
# demo.sh). Installs through sudo when the PostgreSQL directories are not
# writable by the current user.
promo_build_install() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    echo "==> make"
    make -j"$jobs" PG_CONFIG="$PG_CONFIG" || return 1
    echo "==> make install"
    local pkglibdir sharedir
    pkglibdir=$("$PG_CONFIG" --pkglibdir) || return 1
    sharedir=$("$PG_CONFIG" --sharedir) || return 1
    if [ -w "$pkglibdir" ] && [ -w "$sharedir/extension" ]; then
        make install PG_CONFIG="$PG_CONFIG" || return 1
    elif command -v sudo >/dev/null 2>&1; then
        local -a sudo=(sudo)
        [ -t 0 ] || sudo=(sudo -n)   # no terminal: fail instead of prompting
        "${sudo[@]}" make install PG_CONFIG="$PG_CONFIG" || return 1
    else
        echo "make install: $pkglibdir is not writable and sudo is not available" >&2
        return 1
    fi
}
