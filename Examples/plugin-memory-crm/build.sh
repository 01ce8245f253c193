#!/bin/sh
# Builds libplugboard-example-crm.so from MemoryCRMPlugin.swift, outside the Plugboard package.
# Usage: Examples/plugin-memory-crm/build.sh [OUTPUT] [extra swiftc flags...]
# Needs only the C header (Sources/CPlugboardPlugin). Never add -static-stdlib:
# the plugin must use the same Swift runtime as the plugboard binary that loads it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.build/libplugboard-example-crm.so}
[ $# -gt 0 ] && shift
mkdir -p "$(dirname "$out")"
exec swiftc -emit-library -parse-as-library -swift-version 6 -O \
    -module-name PlugboardExampleCRM -I "$here/../../Sources/CPlugboardPlugin" \
    "$here/MemoryCRMPlugin.swift" -o "$out" "$@"
