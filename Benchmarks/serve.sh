#!/usr/bin/env bash
# Benchmarks `plugboard serve` against two peers it starts itself, on loopback:
#   nginx returning a fixed /health body (2 workers), and FastAPI + uvicorn serving the same /health.
# Then POST /webhook/request on the embedded defaults (SQLite storage, local CRM and tasks, rules LLM).
# Installs wrk and nginx (apt) and fastapi + uvicorn (pip, in a throwaway venv) only when missing.
# Usage: Benchmarks/serve.sh            (builds plugboard in release first)
#        PLUGBOARD_BIN=path Benchmarks/serve.sh
# Targets: /health >= 0.5 x nginx's requests/s with p99 <= 2 x nginx's; webhook >= 2,000 requests/s, no errors.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
work=$(mktemp -d /tmp/plugboard-serve-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} (apt)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null) \
        || echo "warning: could not install ${need_apt[*]}; the missing peers are skipped"
fi
command -v wrk >/dev/null || { echo "error: wrk is required"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

VENV=${PLUGBOARD_BENCH_VENV:-/tmp/plugboard-bench-venv}
if [ ! -x "$VENV/bin/uvicorn" ]; then
    echo "installing fastapi + uvicorn (pip, in $VENV)"
    (python3 -m venv "$VENV" && "$VENV/bin/pip" install -q fastapi uvicorn) || echo "warning: could not install fastapi/uvicorn; that peer is skipped"
fi

if [ -z "${PLUGBOARD_BIN:-}" ]; then
    swift build -c release --product plugboard >/dev/null
    PLUGBOARD_BIN=$(swift build -c release --show-bin-path)/plugboard
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "error: nothing answers on port $1"; return 1; }

# Runs wrk and prints "<requests/s> <p99 ms> <errors>".
measure() {
    local out
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" 2>&1)
    echo "$out" >> "$work/wrk.log"
    local rps p99 errors
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')
    errors=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END {print n+0}')
    echo "$rps $p99 $errors"
}

# nginx with 2 workers and a fixed body.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp;
    proxy_temp_path $work/nginx/tmp; fastcgi_temp_path $work/nginx/tmp; uwsgi_temp_path $work/nginx/tmp; scgi_temp_path $work/nginx/tmp;
    server {
        listen 127.0.0.1:$nginx_port;
        location = /health { default_type application/json; return 200 '{"status":"ok","version":"0.1.0"}\n'; }
    }
}
CONF
have_nginx=0
if [ -x "$NGINX" ]; then
    "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
    wait_port "$nginx_port" && have_nginx=1
fi

# FastAPI + uvicorn, one process.
uv_port=$(free_port)
cat > "$work/app.py" <<'PY'
from fastapi import FastAPI
app = FastAPI()
@app.get("/health")
def health():
    return {"status": "ok", "version": "0.1.0"}
PY
have_uv=0
if [ -x "$VENV/bin/uvicorn" ]; then
    (cd "$work" && exec "$VENV/bin/uvicorn" app:app --host 127.0.0.1 --port "$uv_port" --log-level warning --no-access-log) & pids+=($!)
    wait_port "$uv_port" && have_uv=1
fi

# plugboard on the embedded defaults.
pb_port=$(free_port)
mkdir -p "$work/pb"
(cd "$work/pb" && "$PLUGBOARD_BIN" init . >/dev/null 2>&1)
(cd "$work/pb" && exec "$PLUGBOARD_BIN" serve --port "$pb_port" 2>"$work/pb/serve.log") & pids+=($!)
wait_port "$pb_port"

echo "wrk -t2 -c$CONNECTIONS -d$DURATION on 127.0.0.1, $(nproc) processors"
read -r pb_rps pb_p99 pb_err < <(measure "http://127.0.0.1:$pb_port/health")
printf "plugboard GET /health:       %10.0f requests/s, p99 %7.2f ms, errors %s\n" "$pb_rps" "$pb_p99" "$pb_err"
status=0
if [ $have_nginx = 1 ]; then
    read -r ng_rps ng_p99 ng_err < <(measure "http://127.0.0.1:$nginx_port/health")
    printf "nginx GET /health:           %10.0f requests/s, p99 %7.2f ms, errors %s\n" "$ng_rps" "$ng_p99" "$ng_err"
else
    echo "nginx: not available, skipped"
fi
if [ $have_uv = 1 ]; then
    read -r uv_rps uv_p99 uv_err < <(measure "http://127.0.0.1:$uv_port/health")
    printf "fastapi+uvicorn GET /health: %10.0f requests/s, p99 %7.2f ms, errors %s\n" "$uv_rps" "$uv_p99" "$uv_err"
else
    echo "fastapi+uvicorn: not available, skipped"
fi

# Every request unique (its own contact and text), so none is answered from the idempotency record.
cat > "$work/webhook.lua" <<'LUA'
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) prefix = "t" .. tid .. "-" end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    counter = counter + 1
    local id = prefix .. counter
    local body = '{"source":"formulaire","objet":"Problème de facturation ' .. id ..
        '","description":"Bonjour, ma facture ' .. id .. ' est incorrecte, pouvez-vous vérifier le montant ?",' ..
        '"user_email":"client-' .. id .. '@example.com","user_name":"Client ' .. id .. '"}'
    return wrk.format(nil, "/webhook/request", nil, body)
end
LUA
read -r wh_rps wh_p99 wh_err < <(measure -s "$work/webhook.lua" "http://127.0.0.1:$pb_port")
printf "plugboard POST /webhook/request: %6.0f requests/s, p99 %7.2f ms, errors %s\n" "$wh_rps" "$wh_p99" "$wh_err"

echo "--- ratios"
if [ $have_nginx = 1 ]; then
    r=$(awk -v a="$pb_rps" -v b="$ng_rps" 'BEGIN {printf "%.2f", a/b}')
    l=$(awk -v a="$pb_p99" -v b="$ng_p99" 'BEGIN {printf "%.2f", a/b}')
    ok1=$(awk -v r="$r" 'BEGIN {print (r >= 0.5) ? "ok" : "MISSED"}')
    ok2=$(awk -v l="$l" 'BEGIN {print (l <= 2.0) ? "ok" : "MISSED"}')
    echo "GET /health requests/s plugboard/nginx: $r (target >= 0.5) $ok1"
    echo "GET /health p99 plugboard/nginx:        $l (target <= 2.0) $ok2"
    [ "$ok1" = ok ] && [ "$ok2" = ok ] || status=1
fi
if [ $have_uv = 1 ]; then
    echo "GET /health requests/s plugboard/uvicorn: $(awk -v a="$pb_rps" -v b="$uv_rps" 'BEGIN {printf "%.1f", a/b}')"
fi
ok3=$(awk -v r="$wh_rps" -v e="$wh_err" 'BEGIN {print (r >= 2000 && e == 0) ? "ok" : "MISSED"}')
echo "POST /webhook/request: $wh_rps requests/s, $wh_err errors (target >= 2000, none) $ok3"
[ "$ok3" = ok ] || status=1
exit $status
