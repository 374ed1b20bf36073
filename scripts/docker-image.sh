#!/usr/bin/env bash
# Builds the upstream test image from this machine's files and imports it into the local Docker
# engine (no image registry is reachable here, so no FROM/pull). Prints the image tag on stdout.
#
# The rootfs holds only what the tests run: the pinned Node 22 binary from scripts/node (symlink
# resolved) and its shared libraries (ldd), the npm MCP servers @modelcontextprotocol/server-memory
# and server-everything with their dependency closure under /opt/mcp/node_modules, socat (the egress
# bridge) and dash as /bin/sh with their libraries, /etc/passwd + /etc/group with a non-root user
# "mcp" (uid 10001), and an empty /tmp. Node's package name resolution walks up from each package,
# so the closure keeps scripts/node's node_modules layout.
#
# Idempotent: the tag is atoll-upstream-test:<first 16 hex of the rootfs content hash>; when the
# engine already has it, nothing is imported. Needs: docker (CLI + engine), ldd, tar, sha256sum, and
# scripts/node/node_modules installed (scripts/test.sh runs npm ci before calling this).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MODULES="$ROOT/scripts/node/node_modules"
NODE_BIN="$(readlink -f "$NODE_MODULES/.bin/node")"
REPO="atoll-upstream-test"
[ -x "$NODE_BIN" ] || { echo "docker-image.sh: $NODE_MODULES/.bin/node is missing; run npm ci in scripts/node" >&2; exit 2; }
SOCAT="$(command -v socat)" || { echo "docker-image.sh: socat is missing (apt-get install socat)" >&2; exit 2; }
DASH="$(command -v dash)" || { echo "docker-image.sh: dash is missing" >&2; exit 2; }

WORK="$(mktemp -d -t atoll-rootfs.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RFS="$WORK/rootfs"
mkdir -p "$RFS"/{bin,usr/local/bin,opt/mcp,etc,tmp,data,proc,sys,dev}
chmod 1777 "$RFS/tmp"

copy_with_libs() {  # copy_with_libs SRC DEST_IN_ROOTFS
  install -D -m 0755 "$1" "$RFS$2"
  # ldd lines: "libx.so => /path (0x..)" or "/lib64/ld-linux-x86-64.so.2 (0x..)"; vdso has no file.
  ldd "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | while read -r lib; do
    [ -e "$RFS$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$RFS$lib"
  done
}
copy_with_libs "$NODE_BIN" /usr/local/bin/node
copy_with_libs "$SOCAT" /usr/bin/socat
copy_with_libs "$DASH" /bin/sh

# The npm packages and their dependency closure, resolved the way Node resolves names: from each
# package's directory upwards through the node_modules directories.
"$NODE_BIN" - "$NODE_MODULES" @modelcontextprotocol/server-memory @modelcontextprotocol/server-everything \
    >"$WORK/packages" <<'EOF'
const fs = require('fs'), path = require('path');
const [root, ...wanted] = process.argv.slice(2);
const seen = new Set();
function find(name, fromDir) {
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir.endsWith('node_modules') ? dir : path.join(dir, 'node_modules'), name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return null;
}
function visit(dir, optional) {
  if (!dir) { if (!optional) throw new Error('unresolved dependency'); return; }
  if (seen.has(dir)) return;
  seen.add(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies || {})) {
    const found = find(dep, dir);
    if (!found) throw new Error(`${pkg.name}: dependency ${dep} not found under ${root}`);
    visit(found, false);
  }
  for (const dep of Object.keys(pkg.optionalDependencies || {})) visit(find(dep, dir), true);
}
for (const name of wanted) visit(path.join(root, name), false);
for (const dir of [...seen].sort()) console.log(path.relative(root, dir));
EOF
while read -r rel; do
  mkdir -p "$RFS/opt/mcp/node_modules/$(dirname "$rel")"
  cp -a "$NODE_MODULES/$rel" "$RFS/opt/mcp/node_modules/$rel"
  # Nested node_modules are copied as packages of their own (only those in the closure; the list
  # is sorted, so a package comes before the ones nested in it).
  rm -rf "$RFS/opt/mcp/node_modules/$rel/node_modules"
done <"$WORK/packages"

cat >"$RFS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
mcp:x:10001:10001:mcp:/data:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
EOF
cat >"$RFS/etc/group" <<'EOF'
root:x:0:
mcp:x:10001:
nogroup:x:65534:
EOF
echo "hosts: files dns" >"$RFS/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$RFS/etc/hosts"
chown 10001:10001 "$RFS/data"

# Reproducible tar (sorted, fixed times and owners except /data) so the hash names the content.
TAR="$WORK/rootfs.tar"
tar --sort=name --mtime='2026-01-01 00:00:00Z' --numeric-owner --owner=0 --group=0 \
  --exclude=./data -C "$RFS" -cf "$TAR" .
tar --sort=name --mtime='2026-01-01 00:00:00Z' --numeric-owner --owner=10001 --group=10001 \
  -C "$RFS" -rf "$TAR" ./data
TAG="$REPO:$(sha256sum "$TAR" | cut -c1-16)"
if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "docker-image.sh: $TAG already present" >&2
else
  echo "docker-image.sh: importing $TAG ($(du -h "$TAR" | cut -f1))" >&2
  docker import --change 'USER 10001:10001' --change 'WORKDIR /data' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_PATH=/opt/mcp/node_modules' \
    "$TAR" "$TAG" >/dev/null
fi
echo "$TAG"
