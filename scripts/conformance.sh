#!/usr/bin/env bash
# Run the MCP conformance suite's server scenarios against `envscale serve --http`.
#
# The suite (@modelcontextprotocol/conformance) wants Node 22; the project runs on Node 20. So this
# installs, outside the repo, the suite plus a Node 22 binary from the npm registry (the
# node-<platform>-<arch> package, which is what the `node` package's install script would fetch),
# and runs the suite's CLI with that binary. Nothing is added to package.json. Not part of npm test.
#
#   scripts/conformance.sh          the scenarios that apply to an envscale domain (must all pass)
#   scripts/conformance.sh --all    the whole active server suite, with the scenarios that need the
#                                   suite's own "everything" server fixtures as expected failures
#
# Environment: PORT (8808), CONF_DIR (/tmp/envscale-conformance), CONFORMANCE_VERSION (0.1.16),
# NODE22_VERSION (22), SKIP_BUILD=1 to reuse dist/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-8808}"
CONF_DIR="${CONF_DIR:-/tmp/envscale-conformance}"
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"
NODE22_VERSION="${NODE22_VERSION:-22}"
URL="http://localhost:${PORT}/mcp/tiny"

# Scenarios an envscale domain server can pass: no fixture tools, prompts or resources needed.
APPLICABLE=(server-initialize ping tools-list resources-list prompts-list server-sse-multiple-streams dns-rebinding-protection)
# Scenarios that call the suite's fixtures (test_simple_text, test://static-text, test_simple_prompt, ...)
# or capabilities envscale does not offer (logging, completions, resource subscriptions).
NEEDS_FIXTURES=(logging-set-level completion-complete tools-call-simple-text tools-call-image tools-call-audio
  tools-call-embedded-resource tools-call-mixed-content tools-call-with-logging tools-call-error
  tools-call-with-progress tools-call-sampling tools-call-elicitation elicitation-sep1034-defaults
  elicitation-sep1330-enums resources-read-text resources-read-binary resources-templates-read
  resources-subscribe resources-unsubscribe prompts-get-simple prompts-get-with-args
  prompts-get-embedded-resource prompts-get-with-image)

# 1. The suite and a Node 22 binary, in CONF_DIR.
platform="$(node -p 'process.platform === "win32" ? "win" : process.platform')"
arch="$(node -p 'process.arch')"
prefix=node
[[ "$platform" == darwin && "$arch" == arm64 ]] && prefix=node-bin
NODE_PKG="${prefix}-${platform}-${arch}"
mkdir -p "$CONF_DIR"
if [[ ! -x "$CONF_DIR/node_modules/$NODE_PKG/bin/node" || ! -f "$CONF_DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]]; then
  echo "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION and $NODE_PKG@$NODE22_VERSION into $CONF_DIR" >&2
  [[ -f "$CONF_DIR/package.json" ]] || (cd "$CONF_DIR" && npm init -y >/dev/null)
  (cd "$CONF_DIR" && npm install --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" "$NODE_PKG@$NODE22_VERSION")
fi
NODE22="$CONF_DIR/node_modules/$NODE_PKG/bin/node"
SUITE="$CONF_DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
echo "suite: conformance $("$NODE22" -p "require('$CONF_DIR/node_modules/@modelcontextprotocol/conformance/package.json').version") on node $("$NODE22" -v)" >&2

# 2. The server under test.
cd "$ROOT"
[[ "${SKIP_BUILD:-}" == 1 ]] || npm run build --silent
node dist/src/cli.js serve fixtures/domains/tiny --http --port "$PORT" 2>"$CONF_DIR/server.log" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$CONF_DIR/server.log" >&2; exit 1; }
  sleep 0.1
done

# 3. The scenarios. The suite writes results/ into its working directory: keep that out of the repo.
cd "$CONF_DIR"
if [[ "${1:-}" == --all ]]; then
  baseline="$CONF_DIR/expected-failures.yml"
  { echo "server:"; printf '  - %s\n' "${NEEDS_FIXTURES[@]}"; } >"$baseline"
  "$NODE22" "$SUITE" server --url "$URL" --expected-failures "$baseline"
else
  failed=()
  for s in "${APPLICABLE[@]}"; do
    if out="$("$NODE22" "$SUITE" server --url "$URL" --scenario "$s" 2>&1)"; then
      printf '%-32s %s\n' "$s" "$(grep -E '^Passed:' <<<"$out" || echo passed)"
    else
      printf '%-32s FAILED\n%s\n' "$s" "$out"
      failed+=("$s")
    fi
  done
  ((${#failed[@]} == 0)) || { echo "failed: ${failed[*]}" >&2; exit 1; }
fi
