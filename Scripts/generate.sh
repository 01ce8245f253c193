#!/usr/bin/env bash
# Regenerates the files derived from the adapters' descriptors:
# adapters.json (embedded defaults), adapters.schema.json, docs/CONFIG.md.
# A test fails when the committed copies are stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build --product plugboard >/dev/null
bin=$(swift build --show-bin-path)/plugboard
rm -f adapters.json adapters.schema.json
"$bin" init . >/dev/null
"$bin" config docs --out docs/CONFIG.md 2>/dev/null
echo "regenerated adapters.json, adapters.schema.json, docs/CONFIG.md"
