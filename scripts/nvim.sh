#!/usr/bin/env bash
# scripts/nvim.sh: get a Neovim of a given minor version for tests, without touching the system's packages.
#
# Usage:
#   scripts/nvim.sh 0.10    # prints the absolute path of an nvim 0.10.x on stdout
#   scripts/nvim.sh 0.12    # same for 0.12.x
#   scripts/nvim.sh all     # ensures both, prints both paths (0.10 first), one per line
#
# Everything but the resulting paths goes to stderr.
#
# If an `nvim` on PATH has exactly the requested minor version, its path is printed and nothing is fetched
# (set MCP_NVIM_IGNORE_PATH=1 to skip that and always use the private copy). Otherwise the binary comes from
# Debian's newer suites (0.10 from trixie, 0.12 from sid), unpacked into .cache/nvim/<suite>/ of the
# project and patched with patchelf to use its own loader and libraries; the recipe is /work/shared/NEOVIM.md:
#
#   1. a private apt configuration whose sources file is the first stanza of
#      /etc/apt/sources.list.d/debian.sources with `Suites:` replaced (the mirror comes from that system
#      file; no mirror address is written into the repository);
#   2. `apt-get update` and `apt-get download` with that configuration only;
#   3. `dpkg -x` of every .deb into one prefix;
#   4. `patchelf --set-interpreter <prefix>/…/ld-linux-<arch>.so --force-rpath --set-rpath <prefix>/…`.
#
# The result is cached: a second run prints the cached path at once. Concurrent runs are serialized per
# suite with flock(1), and a cache entry only appears (by rename) once it is complete and verified.
set -euo pipefail

log() { printf 'nvim.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$script_dir/.." && pwd -P)
cache_root="$root/.cache/nvim"
system_sources=/etc/apt/sources.list.d/debian.sources

# Multiarch library folder and loader of the unpacked libc6, per Debian architecture.
case "$(dpkg --print-architecture 2>/dev/null || uname -m)" in
  amd64 | x86_64) libdir_rel=usr/lib/x86_64-linux-gnu loader_name=ld-linux-x86-64.so.2 ;;
  arm64 | aarch64) libdir_rel=usr/lib/aarch64-linux-gnu loader_name=ld-linux-aarch64.so.1 ;; # untested
  *) libdir_rel='' loader_name='' ;;
esac

usage() {
  cat >&2 <<'EOF'
usage: scripts/nvim.sh 0.10|0.12|all
  Prints the absolute path of an nvim binary of that minor version on stdout (both for "all").
  Env: MCP_NVIM_IGNORE_PATH=1  do not use an nvim found on PATH.
EOF
  exit 2
}

suite_for() {
  case "$1" in
    0.10) echo trixie ;;
    0.12) echo sid ;;
    *) return 1 ;;
  esac
}

packages_for() {
  case "$1" in
    trixie) echo neovim neovim-runtime libc6 libgcc-s1 libluajit-5.1-2 libluajit-5.1-common libmsgpack-c2 \
      libtree-sitter0.22 libunibilium4 libuv1t64 libvterm0 lua-lpeg lua-luv ;;
    sid) echo neovim neovim-runtime libc6 libgcc-s1 libluajit-5.1-2 libluajit-5.1-common libtree-sitter0.26 \
      libunibilium4 libutf8proc3 libuv1t64 lua-lpeg lua-luv ;;
  esac
}

# "NVIM v0.12.4" (first line of --version) for a binary, or empty if it does not run.
nvim_version_line() {
  "$1" --version 2>/dev/null | head -n 1 || true
}

# Minor version ("0.12") from a "NVIM v0.12.4..." line.
minor_of() {
  sed -nE 's/^NVIM v([0-9]+\.[0-9]+)\..*/\1/p' <<<"$1"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

ensure_patchelf() {
  command -v patchelf >/dev/null 2>&1 && return 0
  log "patchelf not found; installing it with apt-get (system package)"
  # Serialize against a concurrent run of this script doing the same.
  mkdir -p "$cache_root"
  exec 8>"$cache_root/.patchelf.lock"
  flock 8
  if ! command -v patchelf >/dev/null 2>&1; then
    local candidate
    candidate=$(apt-cache policy patchelf 2>/dev/null | sed -nE 's/^ *Candidate: *//p')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      as_root apt-get update >&2
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends patchelf >&2
  fi
  exec 8>&-
  command -v patchelf >/dev/null 2>&1 || die "patchelf is still missing after apt-get install"
}

# Build the private copy for a suite into $cache_root/$suite (atomically). Caller holds the suite lock.
fetch_suite() {
  local suite=$1 minor=$2
  [ -n "$libdir_rel" ] || die "unsupported architecture: $(dpkg --print-architecture 2>/dev/null || uname -m)"
  [ -r "$system_sources" ] || die "$system_sources not found: this recipe expects a Debian system"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found"
  command -v dpkg >/dev/null 2>&1 || die "dpkg not found"
  ensure_patchelf

  # Leftovers of an interrupted run (we hold the suite's lock, so none is in use).
  rm -rf -- "$cache_root/.$suite.build."*
  local work
  work=$(mktemp -d "$cache_root/.$suite.build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf -- '$work'" EXIT

  local apt="$work/apt" debs="$work/debs" prefix="$work/prefix"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$debs" "$prefix"

  # First stanza of the system's deb822 sources, with its Suites: line replaced.
  awk -v suite="$suite" '
    /^[[:space:]]*$/ { if (started) exit; next }
    { started = 1 }
    /^Suites:/ { print "Suites: " suite; next }
    { print }
  ' "$system_sources" >"$apt/$suite.sources"
  grep -q '^URIs:' "$apt/$suite.sources" || die "no URIs: line in the first stanza of $system_sources"

  # When root, apt drops privileges to _apt for downloads: let it write there (no "unsandboxed" warning).
  if [ "$(id -u)" -eq 0 ] && getent passwd _apt >/dev/null 2>&1; then
    chmod 755 "$work"
    chown -R _apt "$apt" "$debs"
  fi

  local -a opts=(
    -o "Dir::Etc::sourcelist=$apt/$suite.sources"
    -o Dir::Etc::sourceparts=/dev/null
    -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt/cache"
    -o Debug::NoLocking=1
  )
  local t0=$SECONDS
  log "fetching Neovim $minor from Debian $suite (mirror from $system_sources)"
  apt-get "${opts[@]}" -q update >&2 || die "apt-get update for $suite failed"
  local -a pkgs
  read -r -a pkgs <<<"$(packages_for "$suite")"
  (cd "$debs" && apt-get "${opts[@]}" -q download "${pkgs[@]}" >&2) || die "apt-get download for $suite failed"

  local deb n=0
  for deb in "$debs"/*.deb; do
    [ -e "$deb" ] || die "no .deb downloaded for $suite"
    dpkg -x "$deb" "$prefix"
    n=$((n + 1))
  done
  log "unpacked $n packages"

  local bin="$prefix/usr/bin/nvim" loader="$prefix/$libdir_rel/$loader_name"
  [ -x "$bin" ] || die "no usr/bin/nvim in the unpacked packages"
  [ -e "$loader" ] || die "no loader at $libdir_rel/$loader_name in the unpacked packages"

  # Patch for its final location (the prefix is renamed into place below).
  local final="$cache_root/$suite"
  patchelf --set-interpreter "$final/prefix/$libdir_rel/$loader_name" \
    --force-rpath --set-rpath "$final/prefix/$libdir_rel" "$bin"

  # Drop downloads and package lists (tens of MB); keep only the prefix.
  rm -rf -- "$apt" "$debs"
  rm -rf -- "$final"
  mv -- "$work" "$final"
  trap - EXIT

  local line got
  line=$(nvim_version_line "$final/prefix/usr/bin/nvim")
  got=$(minor_of "$line")
  if [ "$got" != "$minor" ]; then
    rm -rf -- "$final"
    die "Debian $suite now carries '${line:-an nvim that does not run}', not $minor.x; update scripts/nvim.sh"
  fi
  printf '%s\n' "$line" >"$final/version"
  log "fetched $line in $((SECONDS - t0)) s"
}

# Print the path of an nvim of minor version $1.
ensure() {
  local minor=$1 suite
  suite=$(suite_for "$minor") || usage

  if [ "${MCP_NVIM_IGNORE_PATH:-}" != 1 ]; then
    local onpath line
    if onpath=$(command -v nvim 2>/dev/null) && [ -n "$onpath" ]; then
      line=$(nvim_version_line "$onpath")
      if [ "$(minor_of "$line")" = "$minor" ]; then
        onpath=$(realpath -s -- "$onpath")  # absolute, symlinks kept (snap/appimage wrappers)
        log "$minor: using nvim on PATH: $onpath ($line)"
        printf '%s\n' "$onpath"
        return 0
      fi
    fi
  fi

  local final="$cache_root/$suite" bin
  bin="$final/prefix/usr/bin/nvim"
  mkdir -p "$cache_root"
  # Serialize concurrent runs for the same suite; the lock is released when fd 9 closes.
  exec 9>"$cache_root/.$suite.lock"
  flock 9
  if [ ! -f "$final/version" ] || [ "$(minor_of "$(nvim_version_line "$bin")")" != "$minor" ]; then
    fetch_suite "$suite" "$minor"
  fi
  exec 9>&-
  log "$minor: $(cat "$final/version") at $bin"
  printf '%s\n' "$bin"
}

[ $# -eq 1 ] || usage
case "$1" in
  0.10 | 0.12) ensure "$1" ;;
  all)
    ensure 0.10
    ensure 0.12
    ;;
  -h | --help) usage ;;
  *) usage ;;
esac
