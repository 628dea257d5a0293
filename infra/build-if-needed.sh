# Sourced by ./run.sh and ./hub: builds a project in Release only when a source file is newer than its output,
# so starting Hub or the CLI costs no build when nothing changed.
# usage: build_if_needed <project dir> <output dll>
build_if_needed() {
  local project=$1 dll=$2
  if [ ! -f "$dll" ] || [ -n "$(find "$project" abstractions client/Hub.Client Directory.*.props \
       \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) -newer "$dll" \
       -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    echo "building $project ..." >&2
    dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
  fi
}
