#!/usr/bin/env bash
# Installs the Debian packages needed to build Plugboard, only when missing.
#
#   Scripts/bootstrap.sh [extra-package ...]
#
# Build needs: libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev pkg-config
# (the C libraries behind the CSQLite, CLibPQ, CCurl and CCrypto modules).
# Extra package names are installed in the same apt run (Scripts/test.sh passes
# postgresql-15 this way), so `apt-get update` runs at most once, and only when
# something is missing. Silent when everything is present; on failure apt's
# output is printed. Uses sudo when not root.
set -euo pipefail

packages=(libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev pkg-config "$@")

missing=()
for package in "${packages[@]}"; do
    # dpkg-query is fast and needs no network; "install ok installed" is the only fully installed state.
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "bootstrap: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq &&
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"; } \
       >"$log" 2>&1 </dev/null; then
    cat "$log" >&2
    echo "bootstrap: apt-get failed installing ${missing[*]}" >&2
    exit 1
fi
