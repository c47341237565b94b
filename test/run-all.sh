#!/usr/bin/env bash
# `npm test`: every test layer, in order. Stops at the first failure, but always prints the per-layer summary
# and, as its last line, "N passed, M failed" summed over the layers' tests (the form CI recognises; a failed
# check such as typecheck counts as 1 failed, a passed check is shown as "ok" and not counted as a test).
#   1. static checks + unit tests: typecheck, lint, build, package, mocha in plain Node (`npm run test:unit`)
#   2. the extension-host mocha suite (test/vscode) inside a REAL VS Code extension host, on code-server 4.100.3
#      (VS Code 1.100, Node 20: the oldest engines.vscode allows) and 4.139.1 (VS Code 1.139, Node 24);
#      plus the @vscode/test-electron runner, which prints SKIP where VS Code can't be downloaded
#   3. UI tests: playwright-core + Debian Chromium (headless) against code-server with the packaged .vsix
#   4. (slot) SSH test hosts in network namespaces: see "LAYER 4" below
# Env: SKIP_VSCODE=1 skips layers 2-3 locally (ignored when CI=true). VSCODE_VERSIONS / UI_VERSIONS pick the
# code-server versions. VSCODE_CI_TOOLS (default /opt/vscode-ci) caches code-server installs outside the clone.
set -uo pipefail
cd "$(dirname "$0")/.."

# Before any layer (layer 2 already writes test-subnet fleet addresses into settings): the test subnet
# 10.200.0.0/15 is unreachable in the root namespace, so no packet for it can follow the default route, and so is
# every address the test data names (dstack's fleet examples), but this machine's own, its gateways and name servers.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1; then
  test/harness/testhosts.sh guard || { echo "could not pin the test subnet unreachable; refusing to run the tests"; echo "0 passed, 1 failed"; exit 1; }
  ip route show 10.200.0.0/15 | grep -q '^unreachable' || { echo "the test subnet is not unreachable; refusing to run the tests"; echo "0 passed, 1 failed"; exit 1; }
  export DSTACK_VSC_NET_PINNED=1   # the guard's test then checks each address the test data names is unreachable
fi

VSCODE_VERSIONS="${VSCODE_VERSIONS:-4.100.3 4.139.1}"
UI_VERSIONS="${UI_VERSIONS:-4.100.3 4.139.1}"
LOGS=.artifacts/test-logs
mkdir -p "$LOGS"
t_all=$(date +%s)
failed_step=""
summary=()          # one line per layer/step
failures=()         # the failed tests of the failed step, one line each (shown in the summary, which CI keeps)

# failed_tests LOG: "title: first error line @ test file:line" for each failure in a mocha or node:test spec log
# (at most 12); the location is the first stack frame in test/, so a message-less line still names its assertion.
failed_tests() {
  awk '
    function flush() {
      if (t != "") { if (length(t) > 240) t = substr(t, 1, 237) "..."; print t (at != "" ? "  @ " at : "") }
      t = ""; at = ""
    }
    /^ *[0-9]+ failing/ { mocha = 1; next }
    mocha && /^  [0-9]+\) / { flush(); t = $0; titled = ($0 ~ /:$/); errored = 0; next }
    mocha && t != "" && !titled && /[^ ]/ { sub(/^ +/, " > "); t = t $0; titled = ($0 ~ /:$/); next }
    mocha && t != "" && titled && !errored && /[^ ]/ { sub(/^ +/, " "); t = t $0; errored = 1; next }
    mocha && t != "" && errored && at == "" && match($0, /\(?test\/[^ ()]+:[0-9]+:[0-9]+/) { at = substr($0, RSTART, RLENGTH); sub(/^\(/, "", at); next }
    /^✖ failing tests:/ { flush(); mocha = 0; nodet = 1; next }
    nodet && /^✖ / { print "  " $0 }
    END { flush() }
  ' "$1" | cut -c1-300 | head -12
}
total_pass=0
total_fail=0
declare -A layer_pass=() layer_fail=()   # per layer (the first character of a step name)

# step NAME PASS_REGEX FAIL_REGEX -- COMMAND...: runs COMMAND (unless a step failed), tees its output, adds its counts.
# The regexes capture the number in group 1 (sed -E). Without regexes a step counts as 1 check.
step() {
  local name="$1" pass_re="$2" fail_re="$3"; shift 4
  if [ -n "$failed_step" ]; then summary+=("$(printf '%-46s skipped (after a failure in %s)' "$name" "$failed_step")"); return; fi
  local log="$LOGS/$(echo "$name" | tr -c 'a-zA-Z0-9.\n' '-').log" t0 rc p f
  echo; echo "=== $name: $*"
  t0=$(date +%s)
  "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
  if [ -n "$pass_re" ]; then
    p=$(sed -nE "s/$pass_re/\1/p" "$log" | tail -1); f=$(sed -nE "s/$fail_re/\1/p" "$log" | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before reporting
    if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then rc=1; f=1; fi   # a layer that ran no test is a failure
  else
    p=0; if [ "$rc" -eq 0 ]; then f=0; else f=1; fi       # a check: not a test, but its failure counts
  fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  local layer="${name%% *}"
  layer_pass[$layer]=$(( ${layer_pass[$layer]:-0} + p )); layer_fail[$layer]=$(( ${layer_fail[$layer]:-0} + f ))
  if [ -n "$pass_re" ]; then
    summary+=("$(printf '%-46s %4s passed, %s failed  (%ss, exit %s)' "$name" "$p" "$f" "$(( $(date +%s) - t0 ))" "$rc")")
  else
    summary+=("$(printf '%-46s %s  (%ss, exit %s)' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" "$(( $(date +%s) - t0 ))" "$rc")")
  fi
  if [ "$rc" -ne 0 ]; then
    failed_step="$name"
    mapfile -t failures < <(failed_tests "$log")
  fi
}

MOCHA_PASS='^ *([0-9]+) passing.*'
MOCHA_FAIL='^ *([0-9]+) failing.*'
HOST_PASS='^\[vscode [0-9.]+\] extension-host suite: .*; ([0-9]+) passed, [0-9]+ failed.*'
HOST_FAIL='^\[vscode [0-9.]+\] extension-host suite: .*; [0-9]+ passed, ([0-9]+) failed.*'
NODE_TEST_PASS='^ℹ pass ([0-9]+)$'
NODE_TEST_FAIL='^ℹ fail ([0-9]+)$'

# ---- LAYER 1: static checks and unit tests (plain Node) ----
step "1 typecheck" "" "" -- npm run --silent typecheck
step "1 lint" "" "" -- npm run --silent lint
step "1 build" "" "" -- npm run --silent build
step "1 unit tests (mocha)" "$MOCHA_PASS" "$MOCHA_FAIL" -- npm run --silent test:unit

skip_vscode=""
if [ "${SKIP_VSCODE:-}" = 1 ]; then
  if [ "${CI:-}" = true ]; then echo "SKIP_VSCODE=1 ignored: CI always runs the VS Code layers"; else skip_vscode=1; fi
fi
if [ -n "$skip_vscode" ]; then
  summary+=("$(printf '%-46s skipped (SKIP_VSCODE=1)' '2-3 VS Code layers')")
else
  # ---- LAYER 2: the extension-host suite in a real VS Code ----
  step "2 package .vsix" "" "" -- npm run --silent package
  step "2 build extension-host suite" "" "" -- node esbuild.mjs --tests
  for v in $VSCODE_VERSIONS; do step "2 code-server $v install (cached)" "" "" -- bash .ci/vscode-tools.sh code-server "$v"; done
  step "2 @vscode/test-electron (SKIP offline)" "" "" -- node test/runTest.js
  for v in $VSCODE_VERSIONS; do
    step "2 extension host, code-server $v" "$HOST_PASS" "$HOST_FAIL" -- node test/ui/extension-host.mjs "$v"
  done

  # ---- LAYER 3: UI tests (playwright-core + /usr/bin/chromium, .vsix installed in code-server) ----
  for v in $UI_VERSIONS; do
    step "3 UI, code-server $v" "$NODE_TEST_PASS" "$NODE_TEST_FAIL" -- \
      env CS_VERSION="$v" VSIX=dist/vscode-dstack.vsix node --test --test-concurrency=1 --test-reporter=spec test/ui/workbench.test.mjs
  done
  # The Apply flow on a real namespaced sshd test host (needs root + netns, as in CI).
  if [ "$(id -u)" = 0 ]; then
    for v in $UI_VERSIONS; do
      step "3 UI apply flow (real test host), code-server $v" "$NODE_TEST_PASS" "$NODE_TEST_FAIL" -- \
        env CS_VERSION="$v" VSIX=dist/vscode-dstack.vsix node --test --test-concurrency=1 --test-reporter=spec test/ui/apply-flow.test.mjs
    done
  else
    summary+=("$(printf '%-46s skipped (not root: network namespaces)' '3 UI apply flow (real test host)')")
  fi
fi

# ---- LAYER 4 (slot): SSH test hosts in network namespaces ----
# Added by the SSH/orchestrator engineer: one or more `step "4 ..." PASS_RE FAIL_RE -- command` lines here.
# SSH layer: installs openssh-server/client, iproute2, iptables, podman + runc if missing (root) and builds the
# container test image once (cached in /opt/dvs-podman-store), then runs the suites that
# need them with DSTACK_REQUIRE_SSH_HOSTS=1, so a missing prerequisite fails instead of skipping. The hosts
# are real sshd in network namespaces on 10.201.x (10.200.0.0/15 is pinned unreachable first).
step "4 SSH layer (real sshd hosts, OpenSSH client)" "$MOCHA_PASS" "$MOCHA_FAIL" -- \
  bash -c 'test/harness/testhosts.sh install containers && test/harness/testhosts.sh image && DSTACK_REQUIRE_SSH_HOSTS=1 npx mocha --no-config -r tsx/cjs -r ./test/harness/network-guard.ts --extension ts --timeout 60000 \
    "test/**/*.e2e.test.ts"'
# ---- end of LAYER 4 slot ----

echo
echo "=== summary (logs in $LOGS/, screenshots in .artifacts/screenshots/) after $(( $(date +%s) - t_all ))s"
for line in "${summary[@]}"; do echo "$line"; done
for layer in $(printf '%s\n' "${!layer_pass[@]}" | sort); do
  echo "layer $layer: ${layer_pass[$layer]} passed, ${layer_fail[$layer]} failed"
done
[ -n "$failed_step" ] && echo "FAILED at: $failed_step"
for line in "${failures[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ -z "$failed_step" ] && [ "$total_fail" -eq 0 ]
