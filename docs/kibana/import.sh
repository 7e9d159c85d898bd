#!/usr/bin/env bash
# Imports the marketing dashboard (data views, visualisations, dashboard) into Kibana 8.x.
#
#   KIBANA_URL=https://kibana.example:5601 KIBANA_API_KEY=... docs/kibana/import.sh
#   KIBANA_URL=http://127.0.0.1:5601 KIBANA_USER=elastic KIBANA_PASSWORD=... docs/kibana/import.sh
#
# Optional: KIBANA_SPACE (import into a space other than the default), KIBANA_CA_CERT (PEM of the
# CA that signed Kibana's certificate). Objects with the same ids are overwritten.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
file="${1:-$here/marketing-overview.ndjson}"
url="${KIBANA_URL:?set KIBANA_URL, e.g. http://127.0.0.1:5601}"
url="${url%/}"
if [[ -n "${KIBANA_SPACE:-}" ]]; then
  url="$url/s/$KIBANA_SPACE"
fi

args=(-sS --fail-with-body -X POST "$url/api/saved_objects/_import?overwrite=true"
  -H "kbn-xsrf: true" --form "file=@$file")
if [[ -n "${KIBANA_API_KEY:-}" ]]; then
  args+=(-H "Authorization: ApiKey $KIBANA_API_KEY")
elif [[ -n "${KIBANA_USER:-}" ]]; then
  args+=(-u "$KIBANA_USER:${KIBANA_PASSWORD:?set KIBANA_PASSWORD}")
fi
if [[ -n "${KIBANA_CA_CERT:-}" ]]; then
  args+=(--cacert "$KIBANA_CA_CERT")
fi

response="$(curl "${args[@]}")"
echo "$response"
# Kibana answers 200 also when single objects failed: look at "success".
if ! grep -Eq '"success":[[:space:]]*true' <<<"$response"; then
  echo "import reported errors (see above)" >&2
  exit 1
fi
