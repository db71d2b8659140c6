#!/usr/bin/env bash
# Runs Concourse git-resource's own tests (../shared/git-resource-suite) against this checkout's
# bin/check, bin/in, bin/out — the measure of "drop-in". The git-resource tree is public
# (concourse/git-resource, measured at 03fd6d3); fetch it yourself, it is never committed here.
#   tools/git-resource-suite.sh GIT_RESOURCE_TREE [JOBS] [FILTER-REGEX]
# The shared harness's siggate-assets/{check,in,out} are meant to be symlinks to ../wrapper.sh; a
# copy that lost them fails every call with exit 126, so the suite is copied and they are restored.
# Needs jq, git, gpg, python3 (and git-lfs, git-crypt for a few tests).
set -eu
tree=$(cd "${1:?git-resource tree}" && pwd)
jobs=${2:-2}
filter=${3:-.}
root=$(cd "$(dirname "$0")/.." && pwd)
suite="$root/../shared/git-resource-suite"
[ -d "$suite" ] || { echo "no $suite (../shared beside the checkout)" >&2; exit 2; }
copy=$(mktemp -d -t siggate-gitres-suite.XXXXXX)
cp -r "$suite/." "$copy/"
chmod -R u+w "$copy"
for script in check in out; do ln -sf ../wrapper.sh "$copy/harness/siggate-assets/$script"; done
(cd "$root" && npm run build --silent)
cd "$root"
GITRES_HOME=${GITRES_HOME:-$copy/home} SIGGATE_BIN="$root/bin" bash "$copy/run.sh" "$tree" "$jobs" "$filter"
results=${GITRES_HOME:-$copy/home}/results/strict/results.tsv
awk -F'\t' '{ n[$3]++ } END { printf "git-resource suite: %d PASS, %d FAIL, %d SKIP\n", n["PASS"], n["FAIL"]+n["TIMEOUT"], n["SKIP"] }' "$results"
