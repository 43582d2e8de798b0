#!/usr/bin/env bash
# Adds one migration, for SQLite and for PostgreSQL, from the current model: `tools/add-migration.sh NameOfTheChange`.
# Migrations are additive: a landed migration is never edited or regenerated (MigrationUpgradeTests upgrades a database
# of the first release to the current schema). A change of rules migrates existing rows: add the SQL to both files.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tools/add-migration.sh NameOfTheChange"; exit 2; }
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
dotnet ef migrations add "$1" --project app/Rectify.Migrations.Sqlite \
  --output-dir Migrations --namespace Rectify.Data.Migrations.Sqlite
dotnet ef migrations add "$1" --project app/Rectify.Migrations.Postgres \
  --output-dir Migrations --namespace Rectify.Migrations.Postgres
# EF places the model snapshot by namespace; keep it beside its migrations.
keep_snapshot_beside() {
  find "$1" -name RectifyDbModelSnapshot.cs -not -path "*/obj/*" -not -path "$1/$2/*" -exec mv {} "$1/$2/" \;
  rm -rf "$1/Rectify"
}
keep_snapshot_beside app/Rectify.Migrations.Sqlite Migrations
keep_snapshot_beside app/Rectify.Migrations.Postgres Migrations
rm -f app/Rectify.Migrations.Sqlite/design-time.db*
