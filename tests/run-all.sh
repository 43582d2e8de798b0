#!/usr/bin/env bash
# Runs every test of Rectify on a fresh machine with only the .NET SDK and Node/npm:
# installs what the tests need (Debian's Chromium, CJK fonts, LibreOffice, PostgreSQL; MailDev from npm) when missing,
# builds once, runs all test projects on SQLite, then every suite that touches the database again on a private
# PostgreSQL cluster (loopback, temporary folder, removed at the end), and ends with the totals alone on a line.
# RECTIFY_TESTS_SQLITE_ONLY=1 skips the PostgreSQL pass for a quick local run; CI always runs both.
set -uo pipefail
postgres=true
[ "${RECTIFY_TESTS_SQLITE_ONLY:-}" = 1 ] && postgres=false
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

# --- the private PostgreSQL cluster, started first so that a failure shows before the long SQLite pass --------
if $postgres; then
  pgdir=$(mktemp -d /tmp/rectify-pg.XXXXXX)
  trap 'bash "$root/tests/postgres.sh" stop "$pgdir"' EXIT
  server=$(bash tests/postgres.sh start "$pgdir") || { echo "PostgreSQL did not start (log: $pgdir/log)"; cat "$pgdir/log" 2>/dev/null; echo "0 passed, 1 failed"; exit 1; }
  echo "PostgreSQL: $server"
fi

# --- build once, then test ----------------------------------------------------------------------------
dotnet build Rectify.sln -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

counters() { # passed failed skipped, summed over the given TRX files
  cat "$@" 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); gsub("\"", "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }'
}

# One test project at a time: on two cores the two-node mail tests and the Chromium tests, run side by side,
# starve each other into timeouts.
projects=(Rectify.Core.Tests Rectify.Workflows.Tests Rectify.Mail.Tests Rectify.Notices.Tests Rectify.Web.Tests Rectify.Designer.Tests)
started=$SECONDS
status=0
: > "$results/console.log"
for project in "${projects[@]}"; do
  dotnet test "tests/$project" -c Release --no-build -nologo \
    --logger "trx;LogFilePrefix=sqlite-$project" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee -a "$results/console.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
read -r p f s < <(counters "$results"/sqlite*.trx)
summary="SQLite pass: $p passed, $f failed in $((SECONDS - started)) s"

if $postgres; then
  # Every suite that touches the database, again on PostgreSQL. The Chromium tests (pages, designer) are left to the
  # SQLite pass: they drive the same API the other Web and Designer tests already run here on PostgreSQL.
  started=$SECONDS
  for project in "${projects[@]}"; do
    RECTIFY_TEST_POSTGRES="$server" dotnet test "tests/$project" -c Release --no-build -nologo --filter "FullyQualifiedName!~BrowserTests" \
      --logger "trx;LogFilePrefix=postgres-$project" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee -a "$results/console.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  read -r p f s < <(counters "$results"/postgres-*.trx)
  summary="$summary; PostgreSQL pass: $p passed, $f failed in $((SECONDS - started)) s"
fi

# --- totals from the TRX files --------------------------------------------------------------------------
read -r passed failed skipped < <(counters "$results"/*.trx)
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo
# The failed tests by name, with the first line of their message and the test's line, so a CI log that keeps only its tail still says what broke.
node - "$results" <<'JS'
// Node is on every machine this runs on (the README's prerequisites); the TRX files are read with plain patterns.
const fs = require("fs"), path = require("path"), dir = process.argv[2];
for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".trx"))) {
  const xml = fs.readFileSync(path.join(dir, file), "utf8"), run = file.split("-")[0];
  for (const [result] of xml.matchAll(/<UnitTestResult [^>]*outcome="Failed"[\s\S]*?<\/UnitTestResult>/g)) {
    const name = /testName="([^"]*)"/.exec(result)[1];
    const message = (/<Message>([\s\S]*?)<\/Message>/.exec(result) || ["", ""])[1].trim().split("\n")[0].slice(0, 300);
    // The test's own line (its first frame in a test file): which step of a long test broke.
    const frame = /\/(tests\/[^\s:]+\.cs):line (\d+)/.exec((/<StackTrace>([\s\S]*?)<\/StackTrace>/.exec(result) || ["", ""])[1]);
    console.log(`FAILED (${run}) ${name}: ${message}${frame ? ` (${frame[1]}:${frame[2]})` : ""}`);
  }
}
JS
echo "$summary"
if [ "${skipped:-0}" -gt 0 ]; then echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"; else echo "${passed:-0} passed, ${failed:-0} failed"; fi
exit "$status"
