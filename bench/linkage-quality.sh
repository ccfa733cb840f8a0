#!/usr/bin/env bash
# Record linkage measured on a roster whose noise the matcher did not shape (issue 10, docs/benchmarks.md): the
# demo county's registry, its roster rewritten by IndependentRoster (0–3 faults per line of every kind clerks make,
# plus people the registry does not hold), imported and linked by the county center in a fresh H2 database; every
# automatic link is checked against the truth. Prints precision, recall and the review queue's share per fault
# kind (also written to target/linkage-quality.md). Fails if precision < 0.995 or recall < 0.98
# (-Dfuzhi.quality.precision / -Dfuzhi.quality.recall to change the floors). Needs Maven and a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q test -Dtest=LinkageQualityTest -Dsurefire.failIfNoSpecifiedTests=false "$@" | grep -A40 "LINKAGE QUALITY" || true
cat target/linkage-quality.md
