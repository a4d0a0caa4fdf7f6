#!/usr/bin/env bash
# Developer helper: records every new public symbol of a library in its PublicAPI.Unshipped.txt
# (the PublicApiAnalyzers code fix, run from the shell), so API changes stay visible in review.
# Usage: .ci/update-public-api.sh src/OidcToken [src/OidcToken.Validation ...]
set -euo pipefail
for project_dir in "$@"; do
  dotnet format analyzers "$project_dir" --diagnostics RS0016 RS0017 RS0037 --severity info -v q
done
