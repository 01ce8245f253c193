#!/usr/bin/env bash
# The whole test suite, against real servers. CI runs it through .ci/run.
#
#   Scripts/test.sh [swift test args...]    e.g. Scripts/test.sh --filter StorageSQLiteTests
#   Scripts/test.sh --servers-only          start the servers, print `export ...` lines, wait
#
# Steps (quiet unless something fails; swift test's own output is shown):
#  1. Installs what is missing, checking first so reruns cost nothing:
#     the build packages (Scripts/bootstrap.sh) plus postgresql-15; the Python
#     packages moto[server], boto3, aiosmtpd when python3 cannot import them
#     (then into a venv in ~/.cache/plugboard/test-venv: Debian's python3 refuses
#     system-wide pip installs).
#  2. Starts on 127.0.0.1, each on a free port (preferring 55432 / 15000 / 8025):
#     a throwaway PostgreSQL 15 (trust auth, fsync=off, database plugboard_test),
#     moto (DynamoDB and S3) with SigV4 checking turned on and verified
#     (Scripts/moto_auth.py; Scripts/moto_server.py makes its S3 checks follow
#     S3's: any key, presigned URLs; and handles DynamoDB requests one at a time,
#     as a real table is linearizable per item), and an SMTP server that keeps every message
#     (Scripts/smtp_capture.py). All are stopped and their temp dirs removed on
#     exit, whether the run passed, failed or was interrupted.
#  3. Exports for the tests:
#       PLUGBOARD_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/plugboard_test   REQUIRE_PG=1
#       PLUGBOARD_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT
#       PLUGBOARD_TEST_AWS_ACCESS_KEY_ID, PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY  (the only key moto accepts)
#       AWS_REGION=us-east-1                                                       REQUIRE_MOTO=1
#       PLUGBOARD_TEST_SMTP_URL=smtp://127.0.0.1:PORT                              REQUIRE_SMTP=1
#       PLUGBOARD_TEST_SMTP_MAILDIR=DIR  one <id>.eml (raw message) + <id>.json
#         ({mail_from, rcpt_tos, login, peer, received_at}) per received message;
#         ignore names starting with "." (being written).
#     REQUIRE_*=1 makes the suites fail, not skip, when a server is unreachable.
#       PLUGBOARD_SLOW_TESTS=1  runs the slow suites (the scaffold-adapter plugin in a
#         throwaway copy of the package, about 2-3 minutes); they fail, not skip, when they cannot run.
#  4. `swift build --build-tests`, failing on any warning from a file under
#     Sources/ or Tests/ (or a SwiftPM warning about a target). A warning shows
#     only when its file is recompiled, so an incremental rebuild can miss one
#     that a clean build (as in CI) reports.
#  5. `swift test --no-parallel "$@"` (timing tests must not starve each other on
#     2 cores); exits with its status.
#
# --servers-only: steps 1-3, then prints the exports on stdout (for `eval`, or
# to paste into a shell where you run `swift test` by hand) and waits until
# interrupted (Ctrl-C or kill PID), then stops the servers.
#
# Runs from any directory (it works in the repository root, this script's
# parent). Needs root, or sudo, for apt and for running PostgreSQL as postgres.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

servers_only=0
if [ "${1:-}" = "--servers-only" ]; then
    servers_only=1
    shift
fi

say() { echo "test.sh: $*" >&2; }
die() { say "$*"; exit 1; }
# Prints a log and fails; used when a step's quiet output turns out to matter.
fail_with_log() { cat "$1" >&2; die "$2"; }

PGBIN=/usr/lib/postgresql/15/bin
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/plugboard/test-venv
PY_MODULES='import moto.server, boto3, aiosmtpd'

# PostgreSQL refuses to run as root; as a plain user it runs as that user.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- cleanup
RUN_DIR=""   # logs and the maildir
PGTMP=""     # PostgreSQL's data, owned by postgres
MOTO_PID=""
SMTP_PID=""

# Stops one process this script started: TERM, then KILL if it lingers.
stop_pid() {
    local pid=$1
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    # Ignore further signals: a second Ctrl-C, or a signal sent to the whole
    # process group (timeout(1), CI runners), must not cut the cleanup short.
    trap - EXIT
    trap '' INT TERM
    set +e
    [ -n "$SMTP_PID" ] && stop_pid "$SMTP_PID"
    [ -n "$MOTO_PID" ] && stop_pid "$MOTO_PID"
    if [ -n "$PGTMP" ] && [ -f "$PGTMP/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1
    fi
    [ -n "$PGTMP" ] && rm -rf "$PGTMP"
    [ -n "$RUN_DIR" ] && rm -rf "$RUN_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- 1. install
modules_ok() { [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1; "$1" -c "$PY_MODULES" 2>/dev/null; }

extra_packages=(postgresql-15)
if ! command -v python3 >/dev/null 2>&1; then
    extra_packages+=(python3 python3-venv)
elif ! modules_ok python3 && ! modules_ok "$VENV/bin/python" && ! python3 -c 'import ensurepip' 2>/dev/null; then
    extra_packages+=(python3-venv)   # Debian splits venv's pip bootstrap out of python3
fi
bash Scripts/bootstrap.sh "${extra_packages[@]}"

PY=python3
if ! modules_ok python3; then
    PY=$VENV/bin/python
    if ! modules_ok "$PY"; then
        say "installing moto[server] boto3 aiosmtpd into $VENV"
        pip_log=$(mktemp)
        { python3 -m venv "$VENV" &&
          "$PY" -m pip install --quiet --disable-pip-version-check 'moto[server]' boto3 aiosmtpd; } \
            >"$pip_log" 2>&1 </dev/null || fail_with_log "$pip_log" "pip install failed"
        rm -f "$pip_log"
        modules_ok "$PY" || die "$PY still cannot import moto, boto3, aiosmtpd"
    fi
fi

# ---------------------------------------------------------------- 2. servers
RUN_DIR=$(mktemp -d /tmp/plugboard-test.XXXXXX)
MAILDIR=$RUN_DIR/maildir
mkdir "$MAILDIR"

# The preferred port if a bind to it succeeds, else one the kernel hands out.
free_port() {
    "$PY" - "$1" <<'PYTHON'
import socket, sys
def bound(port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
try:
    print(bound(int(sys.argv[1])))
except OSError:
    print(bound(0))
PYTHON
}

# Waits until something accepts connections on the port, failing early if the
# process that should listen there has died.
wait_listening() {
    local name=$1 pid=$2 port=$3 log=$4
    for _ in $(seq 300); do
        (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || fail_with_log "$log" "$name exited before listening on port $port"
        sleep 0.1
    done
    fail_with_log "$log" "$name is not listening on port $port after 30 s"
}

PG_PORT=$(free_port 55432)
MOTO_PORT=$(free_port 15000)
SMTP_PORT=$(free_port 8025)

# moto and the SMTP server start in the background while PostgreSQL initialises.
"$PY" Scripts/moto_server.py -H 127.0.0.1 -p "$MOTO_PORT" >"$RUN_DIR/moto.log" 2>&1 </dev/null &
MOTO_PID=$!
"$PY" Scripts/smtp_capture.py 127.0.0.1 "$SMTP_PORT" "$MAILDIR" >"$RUN_DIR/smtp.log" 2>&1 </dev/null &
SMTP_PID=$!

PGTMP=$(mktemp -d /tmp/plugboard-pg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGTMP"
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --no-locale >"$RUN_DIR/initdb.log" 2>&1 \
    || fail_with_log "$RUN_DIR/initdb.log" "initdb failed"
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGTMP -c fsync=off" start >/dev/null 2>&1 \
    || fail_with_log "$PGTMP/log" "PostgreSQL did not start on port $PG_PORT"
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres plugboard_test

wait_listening moto_server "$MOTO_PID" "$MOTO_PORT" "$RUN_DIR/moto.log"
wait_listening smtp_capture "$SMTP_PID" "$SMTP_PORT" "$RUN_DIR/smtp.log"

AWS_ENDPOINT=http://127.0.0.1:$MOTO_PORT
credentials=$("$PY" Scripts/moto_auth.py "$AWS_ENDPOINT" 2>"$RUN_DIR/moto_auth.log") \
    || fail_with_log "$RUN_DIR/moto_auth.log" "could not turn on SigV4 checking in moto"
read -r AWS_KEY_ID AWS_SECRET <<<"$credentials"

# ---------------------------------------------------------------- 3. environment
export PLUGBOARD_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/plugboard_test"
export REQUIRE_PG=1
export PLUGBOARD_TEST_AWS_ENDPOINT="$AWS_ENDPOINT"
export PLUGBOARD_TEST_AWS_ACCESS_KEY_ID="$AWS_KEY_ID"
export PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY="$AWS_SECRET"
export AWS_REGION=us-east-1
export REQUIRE_MOTO=1
export PLUGBOARD_TEST_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
export PLUGBOARD_TEST_SMTP_MAILDIR="$MAILDIR"
export REQUIRE_SMTP=1
export PLUGBOARD_SLOW_TESTS=1

if [ "$servers_only" -eq 1 ]; then
    for name in PLUGBOARD_TEST_PG_URL REQUIRE_PG PLUGBOARD_TEST_AWS_ENDPOINT PLUGBOARD_TEST_AWS_ACCESS_KEY_ID \
                PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY AWS_REGION REQUIRE_MOTO PLUGBOARD_TEST_SMTP_URL \
                PLUGBOARD_TEST_SMTP_MAILDIR REQUIRE_SMTP; do
        printf 'export %s=%q\n' "$name" "${!name}"
    done
    echo "# servers ready; stop them with Ctrl-C or: kill $$"
    # Returns when a signal arrives (the trap then cleans up) or a server dies.
    wait -n "$MOTO_PID" "$SMTP_PID" || true
    cat "$RUN_DIR/moto.log" "$RUN_DIR/smtp.log" >&2
    die "a server exited on its own"
fi

# ---------------------------------------------------------------- 4. build, no warnings
build_log=$RUN_DIR/build.log
swift build --build-tests >"$build_log" 2>&1 </dev/null || fail_with_log "$build_log" "swift build --build-tests failed"
# file:line:col: warning: ... for our own files, and SwiftPM's "warning: 'target': ..." lines.
warnings=$(grep -E "^([^ :]*/)?(Sources|Tests)/[^:]+:[0-9]+(:[0-9]+)?: warning: |^warning: '[^']+': " "$build_log" \
    | grep -v '/\.build/' | sort -u || true)
if [ -n "$warnings" ]; then
    printf '%s\n' "$warnings" >&2
    die "swift build --build-tests: $(printf '%s\n' "$warnings" | wc -l) warning(s); the house builds with none"
fi

# ---------------------------------------------------------------- 5. test
status=0
# One test at a time: several suites measure real time (timeouts, Retry-After, a slow
# client) and some wait on child processes or sockets; run all at once on 2 cores they
# starve each other's cooperative threads and the timings stop meaning anything.
swift test --no-parallel "$@" </dev/null || status=$?
exit "$status"
