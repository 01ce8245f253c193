#!/bin/sh
# Builds libplugboard-example-schema-llm.so from SchemaLLMPlugin.swift, outside the Plugboard package.
# Usage: Examples/plugin-schema-llm/build.sh [OUTPUT] [extra swiftc flags...]
# Needs only the C header (Sources/CPlugboardPlugin). Never add -static-stdlib:
# the plugin must use the same Swift runtime as the plugboard binary that loads it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.build/libplugboard-example-schema-llm.so}
[ $# -gt 0 ] && shift
mkdir -p "$(dirname "$out")"
exec swiftc -emit-library -parse-as-library -swift-version 6 -O \
    -module-name PlugboardExampleSchemaLLM -I "$here/../../Sources/CPlugboardPlugin" \
    "$here/SchemaLLMPlugin.swift" -o "$out" "$@"
