#!/usr/bin/env bash
# Installs the real SOAP client stacks that tests/clients drives (Debian and npm pieces).
# Idempotent and quiet: when everything is present it only checks and exits.
# Python clients (zeep, suds) come with the dev extras in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  php-cli php-soap php-xml                        # PHP SoapClient
  default-jdk-headless jaxws libjaxws-java        # JAX-WS RI (wsimport)
  libcommons-codec-java                           # the seed Java sample's Hex
  libaxis-java                                    # Axis 1.4 (WSDL2Java)
  libsoap-lite-perl                               # Perl SOAP::Lite
  ruby ruby-soap4r                                # Ruby soap4r
  openssl                                         # throwaway TLS certificates
  chromium                                        # the web page's tests (Playwright)
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "client toolchains missing (${missing[*]}); run as root: $0" >&2
    exit 1
  fi
  echo "installing client toolchains: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node clients: exactly the versions in the committed package-lock.json.
if [ -f tests/clients/node/package-lock.json ]; then
  if [ ! -d tests/clients/node/node_modules ] \
     || [ tests/clients/node/package-lock.json -nt tests/clients/node/node_modules ]; then
    (cd tests/clients/node && npm ci --silent --no-audit --no-fund)
    touch tests/clients/node/node_modules
  fi
fi
