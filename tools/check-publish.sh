#!/usr/bin/env bash
# Publishes app/Rectify.Web to a temporary folder and runs it there as an office would (README "In production"):
# Production, a fresh data folder, the first supervisor created from the command line. Checks that what the app
# reads at start is in the output and found from it (templates/mail, templates/notice, workflows/, appsettings.json,
# wwwroot, the designer package, the Playwright driver for evidence screenshots), and that /health, /login and a signed-in page answer.
# Usage: bash tools/check-publish.sh [--no-publish OUT]   (OUT: reuse an earlier publish)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rectify-publish-XXXXXX)
if [ "${1:-}" = "--no-publish" ]; then
  out=$(cd "$2" && pwd)
else
  out=$work/app
  dotnet publish "$root/app/Rectify.Web/Rectify.Web.csproj" -c Release -o "$out" -nologo -v q -clp:ErrorsOnly
fi
fail() { echo "check-publish: $*" >&2; exit 1; }

for file in Rectify.Web.dll appsettings.json templates/mail/assigned.subject.liquid templates/mail/digest.html.liquid \
    templates/notice/notice.liquid workflows/rectification.json wwwroot/css .playwright/package \
    Designer/node_modules/@elsa-workflows/elsa-studio-wasm/_framework/blazor.webassembly.js; do
  [ -e "$out/$file" ] || fail "missing from the publish output: $file"
done
for name in "$root"/templates/mail/*.liquid; do
  cmp -s "$name" "$out/templates/mail/$(basename "$name")" || fail "templates/mail/$(basename "$name") differs from the sources"
done

# From its own folder, as the README runs it; the output lies outside the repository, so nothing is found by
# walking up to the sources.
cd "$out"
data=$work/data
export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
RECTIFY_ADMIN_PASSWORD='Publish#Check2026' dotnet Rectify.Web.dll -- admin create chief "--Rectify:DataDirectory=$data" > "$work/admin.log" 2>&1 \
  || { cat "$work/admin.log"; fail "admin create failed"; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
dotnet Rectify.Web.dll "--Rectify:DataDirectory=$data" --urls "$url" > "$work/app.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -fs "$url/health" > /dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$work/app.log"; fail "the app exited at start"; }
  sleep 0.5
done
[ "$(curl -fs "$url/health")" = "Healthy" ] || { cat "$work/app.log"; fail "/health does not answer Healthy"; }
curl -fs "$url/login" | grep -q 'id="UserName"' || fail "/login does not answer with the sign-in form"
grep -q "Imported workflow rectification" "$work/app.log" || { cat "$work/app.log"; fail "the shipped workflow was not imported"; }
grep -q "Mail templates from $out/templates/mail" "$work/app.log" || { cat "$work/app.log"; fail "the mail templates were not found in the output"; }

# Sign in as the new supervisor (antiforgery token from the form) and open pages that read the shipped files.
jar=$work/cookies
token=$(curl -fs -c "$jar" "$url/login" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$token" ] || fail "no antiforgery token on /login"
curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "$url/login" \
  --data-urlencode "UserName=chief" --data-urlencode "Password=Publish#Check2026" --data-urlencode "__RequestVerificationToken=$token" \
  || fail "signing in failed"
curl -fs -b "$jar" "$url/api/mail/templates" | grep -q '"report-returned"' || fail "the mail templates are not listed by /api/mail/templates"
curl -fs -b "$jar" "$url/templates" > /dev/null || fail "/templates does not answer"
# Passed: the output, data and logs go (on a failure they stay for a look).
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
rm -rf "$work"
echo "check-publish: OK"
