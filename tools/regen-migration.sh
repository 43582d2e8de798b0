#!/usr/bin/env bash
# Regenerates the single initial migration from the current model. Used while nothing is deployed;
# once a release ships, add migrations instead (dotnet ef migrations add Name ...).
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/rectify-regen-migration.lock
flock 9
dotnet tool restore >/dev/null
rm -rf app/Rectify.Core/Data/Migrations
dotnet ef migrations add InitialCreate --project app/Rectify.Core --output-dir Data/Migrations/Sqlite --namespace Rectify.Data.Migrations.Sqlite
if [ -d app/Rectify.Core/Rectify ]; then mv app/Rectify.Core/Rectify/Data/Migrations/Sqlite/*.cs app/Rectify.Core/Data/Migrations/Sqlite/; rm -rf app/Rectify.Core/Rectify; fi
rm -f app/Rectify.Core/design-time.db*
