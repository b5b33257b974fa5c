#!/usr/bin/env bash
# The main job on the bundled example data: validate every ruleset, score every example data set
# into a ranked table, and print one enterprise's audit trail.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p qinglian-cli
q=target/release/qinglian

$q check rules/*.toml rules/asem/*.toml

score() { echo; $q score "rules/$1.toml" "examples/data/$2.csv" --top "${3:-10}"; }
score private-enterprise private-enterprises
score hospital hospitals
score school schools
score village villages
score soe soes
score government-organ government-organs
score transport transport-projects
score city-index city-districts 40
echo; $q score rules/city-index.toml examples/data/city-districts.csv --by year --top 3
# A published composite index (COINr's ASEM example): indicators normalised against the 51
# countries, weighted means up four levels.
score asem/minmax-arithmetic asem/asem_iData 5

echo
first=$(sed -n 2p examples/data/private-enterprises.csv | cut -d, -f1)
$q explain rules/private-enterprise.toml examples/data/private-enterprises.csv --id "$first"

echo
# A transport project with early warnings (预警): the audit trail lists each alert with its facts.
$q explain rules/transport.toml examples/data/transport-projects.csv --id T028
