#!/bin/sh
# Builds libplugboard-example-objects.so from MemoryObjectsPlugin.swift, outside the Plugboard package.
# Usage: Examples/plugin-memory-objects/build.sh [OUTPUT] [extra swiftc flags...]
# Needs only the C header (Sources/CPlugboardPlugin). Never add -static-stdlib:
# the plugin must use the same Swift runtime as the plugboard binary that loads it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.build/libplugboard-example-objects.so}
[ $# -gt 0 ] && shift
mkdir -p "$(dirname "$out")"
exec swiftc -emit-library -parse-as-library -swift-version 6 -O \
    -module-name PlugboardExampleObjects -I "$here/../../Sources/CPlugboardPlugin" \
    "$here/MemoryObjectsPlugin.swift" -o "$out" "$@"
