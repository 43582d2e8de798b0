#!/usr/bin/env bash
# Regenerates the single initial migration, for SQLite and for PostgreSQL, from the current model.
# Used while nothing is deployed; once a release ships, add migrations instead (dotnet ef migrations add Name ...).
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/rectify-regen-migration.lock
flock 9
dotnet tool restore >/dev/null
rm -rf app/Rectify.Core/Data/Migrations app/Rectify.Migrations.Postgres/Migrations app/Rectify.Core/Rectify
dotnet ef migrations add InitialCreate --project app/Rectify.Core \
  --output-dir Data/Migrations/Sqlite --namespace Rectify.Data.Migrations.Sqlite
dotnet restore app/Rectify.Migrations.Postgres >/dev/null
dotnet ef migrations add InitialCreate --project app/Rectify.Migrations.Postgres \
  --output-dir Migrations --namespace Rectify.Migrations.Postgres
# EF places the model snapshot by namespace; keep it beside its migration.
keep_snapshot_beside() {
  find "$1" -name RectifyDbModelSnapshot.cs -not -path "*/obj/*" -not -path "$1/$2/*" -exec mv {} "$1/$2/" \;
  rm -rf "$1/Rectify"
}
keep_snapshot_beside app/Rectify.Core Data/Migrations/Sqlite
keep_snapshot_beside app/Rectify.Migrations.Postgres Migrations
rm -f app/Rectify.Core/design-time.db*
