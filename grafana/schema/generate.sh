#!/usr/bin/env bash
# Regenerates the JSON schemas in this folder from the npm package @grafana/schema.
#
# Needs node and npm (and the npm registry) only when run; the tests read the committed
# output with the Python `jsonschema` package and never call npm. See README.md here.
#
#   grafana/schema/generate.sh            # the pinned versions below
#   GRAFANA_SCHEMA_VERSION=13.3.0 grafana/schema/generate.sh
set -euo pipefail

GRAFANA_SCHEMA_VERSION=${GRAFANA_SCHEMA_VERSION:-13.2.3}
GENERATOR_VERSION=${GENERATOR_VERSION:-2.4.0}
TYPESCRIPT_VERSION=${TYPESCRIPT_VERSION:-5.9.3}

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact \
    "@grafana/schema@${GRAFANA_SCHEMA_VERSION}" \
    "ts-json-schema-generator@${GENERATOR_VERSION}" \
    "typescript@${TYPESCRIPT_VERSION}" >/dev/null
cat >tsconfig.json <<'JSON'
{"compilerOptions": {"strict": true, "skipLibCheck": true, "module": "nodenext",
                     "moduleResolution": "nodenext", "target": "es2022"}}
JSON

types=node_modules/@grafana/schema/dist/types
generate() { # generate SOURCE_D_TS TYPE OUTPUT
    npx --no-install ts-json-schema-generator --path "$1" --type "$2" \
        --tsconfig tsconfig.json --no-type-check --out "$3"
}

# The dashboard JSON model (the classic "schemaVersion" dashboard that file provisioning
# loads). The package's top-level `Dashboard` is a veneer over this raw type that only widens
# panels' options to generics; the generator cannot read the veneer (two `DataSourceRef`).
generate "$types/raw/dashboard/x/types.gen.d.ts" Dashboard "$here/dashboard.schema.json"

# Options (and custom field config, where the panel has one) of the panel types we use.
# Directory names in the package drop the dash of the panel id: statetimeline = state-timeline.
mkdir -p "$here/panels"
for pair in stat:stat bargauge:bargauge timeseries:timeseries statetimeline:state-timeline \
    table:table; do
    dir=${pair%%:*} id=${pair##*:}
    source="$types/raw/composable/$dir/panelcfg/x/types.gen.d.ts"
    generate "$source" Options "$here/panels/$id.options.schema.json"
    if grep -q '^export interface FieldConfig ' "$source"; then
        generate "$source" FieldConfig "$here/panels/$id.fieldconfig.schema.json"
    fi
done

# What was installed (the exact versions npm resolved), for README.md and for review.
{
    npm ls --depth=0 | tail -n +2 | sed -e 's/^[^@a-z]* //' -e '/^$/d'
    echo "node@$(node --version | tr -d v)"
} >"$here/versions.txt"
echo "generated with: $(tr '\n' ' ' <"$here/versions.txt")"
