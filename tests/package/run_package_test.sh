#!/usr/bin/env bash
# Installs the built tock into a temporary prefix and builds a consumer
# project against it with find_package(tock), then runs the consumer.
#   run_package_test.sh BUILD_DIR CONSUMER_DIR WORK_DIR GENERATOR BUILD_TYPE CXX VERSION [SANITIZE]
set -euo pipefail
build_dir=$1 consumer_dir=$2 work=$3 generator=$4 build_type=$5 cxx=$6 version=$7 sanitize=${8:-}

rm -rf "$work"
mkdir -p "$work"
echo "== cmake --install $build_dir --prefix $work/prefix"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log" ||
  { cat "$work/install.log"; exit 1; }

# The installed set is the JWT core alone: exactly library/include/tock's
# headers, no tock_app (tock/app/, libtock_app) and no server or CLI header.
src_root=$(cd "$consumer_dir/../../.." && pwd)
installed=$(cd "$work/prefix/include" && find . -type f | sed 's|^\./||' | sort)
expected=$(cd "$src_root/library/include" && find tock -type f | sort)
if [[ $installed != "$expected" ]]; then
  echo "installed headers differ from library/include/tock:"
  diff <(echo "$expected") <(echo "$installed") || true
  exit 1
fi
# What the CLI and the server share lives in tock_app, never in the package.
for app_header in report json_writer inspect_request basic_auth time_text files key_type skew_stats; do
  if [[ -e $work/prefix/include/tock/$app_header.h || -e $work/prefix/include/tock/app ]]; then
    echo "the installed package holds an app-level header (tock/$app_header.h or tock/app/)"; exit 1
  fi
done
if find "$work/prefix" -name 'libtock_app*' -o -name 'libtock_server*' | grep -q .; then
  echo "a non-core library was installed:"; find "$work/prefix" -name 'libtock_*'; exit 1
fi
if grep -rqE 'tock_app|tock::app' "$work/prefix/lib"*/cmake/tock/; then
  echo "the installed package names tock_app"; exit 1
fi

flags=()
if [[ -n $sanitize ]]; then
  # A sanitized libtock needs the sanitizer runtime in the consumer too.
  flags+=("-DCMAKE_CXX_FLAGS=-fsanitize=$sanitize" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=$sanitize")
fi
echo "== configure consumer against $work/prefix"
cmake -S "$consumer_dir" -B "$work/build" -G "$generator" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DTOCK_EXPECTED_VERSION="$version" "${flags[@]}" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
# The package must come from the prefix, not from some system-wide install.
if ! grep -q "tock_DIR=$work/prefix/" "$work/configure.log"; then
  echo "find_package(tock) did not use $work/prefix:"; cat "$work/configure.log"; exit 1
fi
echo "== build consumer"
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "== run consumer"
out=$("$work/build/tock_consumer")
echo "$out"
[[ $out =~ ^"tock consumer ok: ES256, "[0-9]+" algorithms, now 1781255830"$ ]] ||
  { echo "unexpected consumer output"; exit 1; }
rm -rf "$work"
