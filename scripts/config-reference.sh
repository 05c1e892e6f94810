#!/usr/bin/env bash
# Regenerates the configuration reference in deploy/README.md (between the config-reference
# markers) from the services' own --help, so the document cannot drift from the code.
# A unit test (tests/deploy) fails when a key is missing from the document.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${INFOBUS_BIN_DIR:-$repo/build/bin}
table=$(mktemp)
for service in collection judgment dispatch supervision gateway; do
  echo "#### infobus-$service"
  echo
  echo "| key | type | default | environment | meaning |"
  echo "|---|---|---|---|---|"
  "$bin/infobus-$service" --help | awk '
    /^  [a-z_]+\.[a-z_.]+ \(/ {
      key=$1; rest=$0; sub(/^  [^ ]+ \(/, "", rest); sub(/\)$/, "", rest)
      n=split(rest, parts, ", ")
      type=parts[1]; def=""; env=""
      for (i=2;i<=n;i++) {
        if (parts[i] ~ /^default /) { def=parts[i]; sub(/^default /, "", def) }
        if (parts[i] ~ /^env /) { env=parts[i]; sub(/^env /, "", env) }
        if (parts[i] ~ /YAML file only/) { env="(file only)" }
      }
      getline help; sub(/^ +/, "", help); gsub(/\|/, "\\|", help)
      printf "| `%s` | %s | %s | %s | %s |\n", key, type, (def==""?"":"`" def "`"), (env==""?"":"`" env "`"), help
    }'
  echo
done >"$table"
python3 - "$repo/deploy/README.md" "$table" <<'PY'
import sys
path, table = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
start, end = "<!-- config-reference:start -->", "<!-- config-reference:end -->"
a, b = text.index(start) + len(start), text.index(end)
open(path, "w").write(text[:a] + "\n" + table + text[b:])
PY
rm -f "$table"
echo "updated deploy/README.md" >&2
