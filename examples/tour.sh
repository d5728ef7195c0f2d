#!/usr/bin/env bash
# A tour of the commands one by one, on the embedded default in a fresh temporary
# home: generate -> version -> schema -> profile -> validate -> refuse bad data -> train a
# tracked model -> register it as champion -> drift -> predict with every prediction logged ->
# monitor -> labels arrive -> alerts -> audit -> doctor. Later stages (serve, pipelines,
# automatic retraining) are in `gyre demo` (`make demo`).
set -euo pipefail
GYRE=$(realpath "${1:-build/gyre}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gyre-tour.XXXXXX")
export GYRE_HOME="$WORK/.gyre"
KEEP=${GYRE_TOUR_KEEP:-0}
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ gyre %s\n' "$*"; "$GYRE" "$@"; }
# Runs a command that is expected to fail with exit code $1 and says so.
expect() {
  local want=$1; shift
  printf '$ gyre %s\n' "$*"
  set +e; "$GYRE" "$@"; local got=$?; set -e
  if [ "$got" != "$want" ]; then echo "tour: expected exit $want, got $got" >&2; exit 1; fi
  echo "(exit $got, as expected)"
}

step "1. Collect: a month of card transactions (October), 200,000 rows"
run data generate --kind fraud --rows 200000 --seed 10 --out october.csv

step "2. Version it: the first version infers the schema"
run data add october.csv --name transactions --label is_fraud
run data schema transactions --out schema.yaml
sed -n '1,22p' schema.yaml; echo "  ..."

step "3. Profile it (statistics were computed once, when the version was added)"
run data profile transactions:1 --html profile.html
echo "HTML report: $(du -h profile.html | cut -f1) self-contained page"

step "4. November arrives: validate it against the schema, then version it"
run data generate --kind fraud --rows 200000 --seed 11 --out november.csv
run data validate november.csv --dataset transactions
run data add november.csv --name transactions
run data add november.csv --name transactions

step "5. Train on November: a tracked run, registered as the champion"
run train --data transactions --label is_fraud --experiment fraud --register fraud --alias champion
run runs list --experiment fraud

step "6. December: the world moved (new merchants, larger amounts, more fraud)"
run data generate --kind fraud --rows 200000 --seed 12 --drift 0.8 --out december.csv
expect 3 data validate december.csv --dataset transactions
expect 3 data add december.csv --name transactions --strict

step "7. Drift: December against November, column by column (Evidently's default tests)"
run drift --reference transactions:2 --current december.csv --html drift.html
expect 3 drift --reference transactions:2 --current december.csv --fail-on-drift --json > /dev/null
echo "HTML report: $(du -h drift.html | cut -f1) self-contained page"

step "8. The champion scores traffic, and every prediction is logged"
# A quiet week like November, then December (ids moved on, as a real feed's would).
run data generate --kind fraud --rows 20000 --seed 13 --out week.csv
head -20001 december.csv | awk -F, 'BEGIN { OFS = "," } NR > 1 { $1 += 1000000 } 1' > december_traffic.csv
run predict fraud:champion --input week.csv --output week_scores.csv --log --id transaction_id
run predict fraud:champion --input december_traffic.csv --output december_scores.csv --log --id transaction_id
head -4 december_scores.csv

step "9. Monitoring: the latest window against the training data the model carries"
expect 3 monitor fraud:champion --window 20000 --html monitor.html --fail-on-drift

step "10. The labels arrive: realized performance next to the estimate, and the alerts so far"
cut -d, -f1,26 december_traffic.csv > december_labels.csv
cut -d, -f1,26 week.csv > week_labels.csv
run feedback fraud --input week_labels.csv --id-column transaction_id --window 20000
run feedback fraud --input december_labels.csv --id-column transaction_id --window 20000
run events fraud

step "11. A broken export is refused with its line and column, and nothing is stored"
head -1000 december.csv > broken.csv
echo '9999999,2026-12-31T23:59:00Z,12.5,23,100' >> broken.csv
expect 1 data add broken.csv --name transactions

step "12. What is stored, who changed it, and whether it is all intact"
run data list
run data show transactions
run models show fraud
run doctor

echo
echo "Tour home: $GYRE_HOME$([ "$KEEP" = 1 ] && echo ' (kept)' || echo ' (removed; GYRE_TOUR_KEEP=1 keeps it)')"
