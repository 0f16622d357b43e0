#!/usr/bin/env bash
# Runs every test of the solution and writes TRX results to TestResults/.
# The browser and MQTT tests drive Debian's chromium, mosquitto clients, prometheus and nginx; they are installed here
# when missing and this script may (root or password-less sudo). Otherwise it says what is missing
# and runs anyway, so those tests fail with a clear message instead of being skipped.
# Extra arguments go to `dotnet test` (for example --artifacts-path /tmp/art).
set -uo pipefail
cd "$(dirname "$0")"

results_dir="$PWD/TestResults"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# e2e/ObservabilityTests.cs has Debian's Prometheus scrape the app.
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
# e2e/ReverseProxyTests.cs puts Debian's nginx in front of the app.
[ -x /usr/sbin/nginx ] || missing+=(nginx)

# The VerneMQ tests start a real 2-node cluster from a release tarball: VERNEMQ_TARBALL, or the one in
# ../shared/vernemq. It is extracted by the tests into a temporary folder (the shared one is read-only).
if [ -z "${VERNEMQ_TARBALL:-}" ]; then
    VERNEMQ_TARBALL=$(ls "$PWD"/../shared/vernemq/vernemq-*.tar.gz 2>/dev/null | head -1)
fi
if [ -n "${VERNEMQ_TARBALL:-}" ] && [ -f "$VERNEMQ_TARBALL" ]; then
    export VERNEMQ_TARBALL
    ldconfig -p 2>/dev/null | grep -q 'libsnappy\.so\.1' || missing+=(libsnappy1v5)
else
    echo "test.sh: no VerneMQ release found (set VERNEMQ_TARBALL); the VerneMQ tests will report themselves skipped" >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        sudo=(none)
    fi
    if [ "${sudo[*]}" != none ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing ${missing[*]}"
        if ! { "${sudo[@]}" apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
            echo "test.sh: could not install ${missing[*]}; the tests that need them will fail" >&2
        fi
    else
        echo "test.sh: missing Debian packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]});" \
            "the tests that need them will fail" >&2
    fi
fi

# MQTT.js for e2e/MqttJsTests.cs, at the version package-lock.json pins.
if command -v npm >/dev/null 2>&1 && [ ! -d e2e/mqttjs/node_modules/mqtt ]; then
    (cd e2e/mqttjs && npm ci --no-audit --no-fund --loglevel=error) ||
        echo "test.sh: could not install MQTT.js (npm ci in e2e/mqttjs); its tests will fail" >&2
fi

# Old result files would be counted again by .ci/run.
rm -rf "$results_dir"
dotnet test dashboard.sln --logger trx --results-directory "$results_dir" "$@"
