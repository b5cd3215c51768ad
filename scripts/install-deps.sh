#!/usr/bin/env bash
# Installs the system libraries rlsyn needs (OpenBLAS) when they are missing. Idempotent.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "OpenBLAS is missing and this user cannot install it (run: apt-get install -y libopenblas-dev); continuing with the slower Swift GEMM." >&2
    exit 0
  fi
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Installing libopenblas-dev (fast matrix products)..." >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev >/dev/null
else
  echo "No apt-get: install OpenBLAS with your package manager; continuing with the slower Swift GEMM." >&2
fi
