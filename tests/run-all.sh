#!/usr/bin/env bash
# Runs every test of Rectify on a fresh machine with only the .NET SDK and Node/npm:
# installs what the tests need (Debian's Chromium, CJK fonts, LibreOffice; MailDev from npm) when missing,
# builds once, runs all test projects, and ends with the totals alone on a line.
# With --postgres it then runs the database suites again on a private PostgreSQL cluster (installed when missing).
set -uo pipefail
postgres=false
[ "${1:-}" = "--postgres" ] && postgres=true
cd "$(dirname "$0")/.."
root=$PWD
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results" "$root/artifacts/screenshots"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages, only those missing --------------------------------------------------------------
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi micro hei" || need+=(fonts-wqy-microhei)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
$postgres && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { echo "apt-get install failed"; exit 1; }
fi

# --- npm packages for the tests (MailDev) -------------------------------------------------------------
if [ ! -f tests/tools/node_modules/.package-lock.json ] || [ tests/tools/package-lock.json -nt tests/tools/node_modules/.package-lock.json ]; then
  (cd tests/tools && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; exit 1; }
fi

# --- build once, then test ----------------------------------------------------------------------------
dotnet build Rectify.sln -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Rectify.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

if $postgres; then
  pgdir=$(mktemp -d /tmp/rectify-pg.XXXXXX)
  trap 'bash tests/postgres.sh stop "$pgdir"' EXIT
  server=$(bash tests/postgres.sh start "$pgdir" 55432) || { echo "PostgreSQL did not start"; exit 1; }
  for project in Rectify.Core.Tests Rectify.Workflows.Tests Rectify.Mail.Tests Rectify.Notices.Tests; do
    RECTIFY_TEST_POSTGRES="$server" dotnet test "tests/$project" -c Release --no-build -nologo \
      --logger "trx;LogFilePrefix=postgres-$project" --results-directory "$results" 2>&1 | tee -a "$results/console.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
fi

# --- totals from the TRX files --------------------------------------------------------------------------
read -r passed failed skipped < <(cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); gsub("\"", "", kv[2]); c[kv[1]] += kv[2] } }
  END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo
if [ "${skipped:-0}" -gt 0 ]; then echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"; else echo "${passed:-0} passed, ${failed:-0} failed"; fi
exit "$status"
