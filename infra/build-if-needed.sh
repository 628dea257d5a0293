# Sourced by ./run.sh and ./hub: builds a project in Release only when a source file is newer than its output,
# so starting Hub or the CLI costs no build when nothing changed. Build output is shown only on failure.
# usage: build_if_needed <project dir> <output dll> [more source dirs the project compiles]
build_if_needed() {
  local project=$1 dll=$2 log
  shift 2
  if [ ! -f "$dll" ] || [ -n "$(find "$project" abstractions client/Hub.Client Directory.*.props "$@" \
       \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) -newer "$dll" \
       -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    echo "building $project ..." >&2
    log=$(mktemp)
    if ! dotnet build "$project" -c Release --nologo -v quiet >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
  fi
}
