#!/usr/bin/env bash
# Installs a released csogate binary for this runner and puts it on PATH: the
# one step of the setup action (setup/action.yml), for runners where a Docker
# action cannot run (macOS, Windows, self-hosted runners in Kubernetes mode).
# The gate then runs as `csogate action` in a run: step.
#
# It downloads the release's checksums.txt and the binary for the runner's OS
# and architecture, checks the binary's SHA-256 against checksums.txt (and,
# when the setup action is used at a release tag, checksums.txt's own SHA-256
# against the one the release wrote into setup/action.yml), checks that the
# binary runs and reports the version asked for, and only then installs it.
# Any failure installs nothing.
#
# Environment (the setup action sets the CSOGATE_ ones from its inputs):
#   CSOGATE_VERSION           the release tag, e.g. v1.4.2 (required)
#   CSOGATE_REPOSITORY        owner/name whose releases to use (default csogate/csogate)
#   CSOGATE_SERVER_URL        GitHub's address (default https://github.com)
#   CSOGATE_CHECKSUMS_SHA256  expected SHA-256 of checksums.txt (optional)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT (the runner's)
set -euo pipefail

fail() {
  echo "::error title=csogate setup::$*"
  exit 1
}

version="${CSOGATE_VERSION:-}"
repository="${CSOGATE_REPOSITORY:-csogate/csogate}"
server="${CSOGATE_SERVER_URL:-https://github.com}"
server="${server%/}"
pinned="${CSOGATE_CHECKSUMS_SHA256:-}"

# Every value that goes into a URL or a path is checked first.
if [ -z "$version" ]; then
  fail "no version: set the setup action's version input to a release tag such as v1.4.2 (at a release tag, setup/action.yml already names its own release)"
fi
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  fail "version \"$version\" is not a release tag (vMAJOR.MINOR.PATCH, e.g. v1.4.2)"
fi
if ! [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  fail "repository \"$repository\" is not owner/name"
fi
case "$server" in
  https://*) ;;
  http://127.0.0.1:* | http://localhost:*) ;; # a local test server only
  *) fail "server URL \"$server\" is not https://" ;;
esac
if [ -n "$pinned" ] && ! [[ "$pinned" =~ ^[0-9a-f]{64}$ ]]; then
  fail "checksums-sha256 \"$pinned\" is not a SHA-256 (64 lower-case hex digits)"
fi

case "${RUNNER_OS:-}" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) fail "runner OS \"${RUNNER_OS:-}\": csogate is released for Linux, macOS and Windows runners" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "runner architecture \"${RUNNER_ARCH:-}\": csogate is released for X64 and ARM64 runners" ;;
esac
ext=""
[ "$os" = windows ] && ext=".exe"
asset="csogate_${os}_${arch}${ext}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this in a GitHub Actions step}"
: "${GITHUB_PATH:?GITHUB_PATH is not set: run this in a GitHub Actions step}"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{print $1}'
  else
    fail "neither sha256sum nor shasum is installed on this runner: the download cannot be verified"
  fi
}

base="$server/$repository/releases/download/$version"
download="$(mktemp -d "$RUNNER_TEMP/csogate-download.XXXXXX")"
trap 'rm -rf "$download"' EXIT
fetch() {
  curl --fail --silent --show-error --location --retry 3 --proto '=https,http' \
    --output "$download/$1" "$base/$1" || fail "could not download $base/$1 (is $version a published release of $repository?)"
}

fetch checksums.txt
if [ -n "$pinned" ]; then
  got="$(sha256 "$download/checksums.txt")"
  if [ "$got" != "$pinned" ]; then
    fail "checksums.txt of $repository $version has SHA-256 $got, but this setup action was released with $pinned: the release's files were changed after it was published; do not use them"
  fi
fi
expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$download/checksums.txt")"
case "$(printf '%s' "$expected" | grep -c . || true)" in
  1) ;;
  0) fail "$asset is not listed in checksums.txt of $repository $version: there is no release binary for $os/$arch" ;;
  *) fail "$asset is listed more than once in checksums.txt of $repository $version: refusing an ambiguous checksum" ;;
esac

fetch "$asset"
got="$(sha256 "$download/$asset")"
if [ "$got" != "$(printf '%s' "$expected" | tr 'A-F' 'a-f')" ]; then
  fail "$asset has SHA-256 $got, but checksums.txt of $repository $version says $expected: the download is corrupt or was tampered with; nothing was installed"
fi
chmod 0755 "$download/$asset"
said="$("$download/$asset" version 2>&1)" || fail "the downloaded $asset does not run on this $RUNNER_OS $RUNNER_ARCH runner: $said"
if [ "$said" != "csogate ${version#v}" ]; then
  fail "the downloaded $asset says \"$said\", not csogate ${version#v}: refusing a binary of another version"
fi

dir="$RUNNER_TEMP/csogate-$version"
rm -rf "$dir"
mkdir -p "$dir"
mv "$download/$asset" "$dir/csogate$ext"
echo "$dir" >>"$GITHUB_PATH"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "path=$dir/csogate$ext"
    echo "version=$version"
  } >>"$GITHUB_OUTPUT"
fi
echo "installed $said ($os/$arch, SHA-256 $got, verified against checksums.txt) at $dir/csogate$ext"
