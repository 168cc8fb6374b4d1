#!/usr/bin/env bash
# Regenerate the documents that show real output, so they stay true:
#   docs/TUTORIAL.md   from docs/tutorial.template.md: every "$ csmarket ..." or
#                      "$ ls/head/grep/cat ..." line inside a ```console block is run and
#                      its output inserted below it;
#   docs/gallery/      charts from the tutorial's baseline and comparison;
#   docs/VALIDATION.md the report of `csmarket validate` (with robustness columns), then
#                      docs/validation-discussion.md;
#   docs/SENSITIVITY.md the Morris screening of the baseline.
#
# Usage (from the repository root): bash docs/make-docs.sh
# Takes a few minutes; needs only the csmarket binary (built here with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN="$PWD/target/release/csmarket"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# the tutorial's own scenario file
mkdir -p "$WORK/tutorial"
cat > "$WORK/tutorial/five_slots.json" <<'JSON'
{
  "name": "five_slots",
  "description": "A procurement framework with five slots per service line, let in 2015",
  "extends": "baseline",
  "policy": { "framework": { "year": 2015, "slots_per_line": 5 } }
}
JSON

out="$PWD/docs/TUTORIAL.md"
: > "$out.tmp"
in_console=0
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$out.tmp"
  if [[ "$line" == '```console' ]]; then in_console=1; continue; fi
  if [[ "$line" == '```' ]]; then in_console=0; continue; fi
  if (( in_console )) && [[ "$line" == '$ '* ]]; then
    cmd="${line#\$ }"
    # run in the work folder; csmarket means the freshly built binary
    (cd "$WORK" && eval "${cmd/#csmarket/\"$BIN\"}") >> "$out.tmp" 2>/dev/null || {
      echo "command failed: $cmd" >&2; exit 1; }
  fi
done < docs/tutorial.template.md
mv "$out.tmp" "$out"

# the gallery: a few charts a report would use
mkdir -p docs/gallery
for f in provision_mix power_regimes quality_mean supplier_landscape; do
  cp "$WORK/tutorial/baseline/charts/$f.png" "$WORK/tutorial/baseline/charts/$f.svg" docs/gallery/
done
for f in forest suppliers_active_csu markup_mean; do
  cp "$WORK/tutorial/compare/charts/$f.png" "$WORK/tutorial/compare/charts/$f.svg" docs/gallery/
done

# the validation report, repeated with the most influential parameters (from the screening
# below) at a lower and a higher value
"$BIN" validate --replications 60 --out "$WORK/validation" --quiet \
    --vary csus.capacity_headroom=1.0,1.3 --vary learning.supplier_rate=0.25,1.0 \
    --vary csus.leadership_potential=0.45,0.75 --vary csus.capability_initial=0.25,0.45 \
    --vary csus.info_sharing=0.5,1.0 --vary policy.efficiency_requirement.rate=0.02,0.06 > /dev/null
{ cat "$WORK/validation/VALIDATION.md"; echo; cat docs/validation-discussion.md; } > docs/VALIDATION.md

# the sensitivity screening of the baseline
"$BIN" sensitivity baseline --method morris --out "$WORK/sensitivity" --quiet > /dev/null
cp "$WORK/sensitivity/sensitivity.md" docs/SENSITIVITY.md
cp "$WORK/sensitivity/charts/sensitivity_quality_mean.png" "$WORK/sensitivity/charts/sensitivity_quality_mean.svg" docs/gallery/

echo "Regenerated docs/TUTORIAL.md, docs/gallery/, docs/VALIDATION.md and docs/SENSITIVITY.md"
