#!/usr/bin/env bash
# Mutation testing of the reliability core with mutmut (docs/reliability.md, "Mutation testing").
#
#   tools/mutation.sh                 every module in [tool.mutmut] only_mutate (pyproject.toml)
#   tools/mutation.sh _core.gate webhooks._signing   only those modules (dotted, below ftclient)
#
# mutmut copies the package to mutants/, runs the fast test files listed in
# pytest_add_cli_args_test_selection once to learn which tests reach which function, then runs,
# for each mutant, only those tests. Not in CI: a few minutes per module on 2 cores. Ends with
# killed/total per module (a timeout counts as killed: the tests noticed); `mutmut results`
# lists the survivors and `mutmut show NAME` shows one.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
"$py" -m pip show mutmut >/dev/null 2>&1 || "$py" -m pip install -q 'mutmut==3.8.1'
rm -rf mutants  # a fresh copy each time: results never mix with an older source

patterns=()
for module in "$@"; do
  patterns+=("ftclient.${module#ftclient.}.*")
done
"$py" -m mutmut run "${patterns[@]}" >.mutmut-run.log 2>&1 || {
  tail -n 30 .mutmut-run.log >&2
  exit 1
}
"$py" -m mutmut results --all true | awk '
  $2 == "not" { next }  # "not checked": a module left out of this run
  {
    module = $1; sub(/\.[^.]*$/, "", module); total[module]++  # the name less its function
    if ($2 == "killed" || $2 == "timeout") killed[module]++
  }
  END {
    for (module in total)
      printf "%-24s %4d killed of %4d  %5.1f%%\n", module, killed[module], total[module],
        100 * killed[module] / total[module]
  }' | sort
