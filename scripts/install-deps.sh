#!/usr/bin/env bash
# Installs what building and running infobus needs on Debian 12, skipping what is there:
# Debian packages (compiler, CMake, gRPC, protobuf, librdkafka, RocksDB, jemalloc, GoogleTest,
# yaml-cpp, CLI11, libjwt, nlohmann-json, OpenSSL, kcat, jq, a JDK and Maven for the broker, clang
# and libFuzzer for tests/fuzz; chromium and a CJK font for the console's browser test; Node.js and npm for the web console, only when there is no `node`
# at all, so a newer Node installed otherwise is kept) and the Kafka broker jars (Maven Central).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libyaml-cpp-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libjwt-dev nlohmann-json3-dev libssl-dev  # people's tokens: common/security
  libcpp-httplib-dev  # the /metrics endpoint over TLS: common/metrics
  kcat jq openjdk-17-jre-headless maven docker-compose prometheus-cpp-dev
  openjdk-17-jdk-headless  # javac: the Kafka Streams peer of the benchmark (tools/bench/streams)
  clang libclang-rt-14-dev  # the fuzz targets (scripts/fuzz.sh): clang++ and its libFuzzer
  chromium fonts-wqy-microhei  # the console's browser test (tests/console), and a CJK font for it
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)  # console/: npm ci, Vite, Vitest
if [ ${#missing[@]} -gt 0 ]; then
  echo "[deps] installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

"$repo/scripts/kafka.sh" fetch
