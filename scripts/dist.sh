#!/usr/bin/env bash
# `make dist`: every package users install, built into dist/ from a checkout, with SHA256SUMS.
#
#   libdinero0_VERSION-1_amd64.deb                      cargo-deb: the shared library
#   libdinero-dev_VERSION-1_amd64.deb                   the header, libdinero.a, dinero.pc
#   dinero_VERSION-1_amd64.deb                          the dinero command and its man page
#   libdinero-VERSION-py3-none-manylinux_2_17_x86_64.whl  the Python package with the library
#   libdinero-VERSION.tar.gz                             its sdist (uses the system's library)
#   libdinero-VERSION.tgz                                npm pack, with the library
#   libdinero-php-VERSION.zip                            composer archive (uses the system's
#                                                       library, or a copy put in its lib/)
#
# All carry one build of the library, made by cargo-zigbuild for glibc 2.17 (Debian 8, RHEL 7,
# Ubuntu 14.04 and later), so the wheel qualifies as manylinux_2_17, with Cargo.toml's dist
# profile (the release profile with fat LTO and one codegen unit). Installs its tools once
# (scripts/dist-tools.sh). scripts/test-dist.sh installs each package and runs the examples.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null
# shellcheck source=scripts/dist-tools.sh
. scripts/dist-tools.sh
dist_tools

die() { echo "dist: $*" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
abi=$(sed -n 's/^const ABI_VERSION: &str = "\(.*\)";$/\1/p' build.rs)
triple=x86_64-unknown-linux-gnu
glibc=2.17
built=$root/target/$triple/dist
stage=$root/target/dist-staging

# The places that spell the version out must agree with Cargo.toml.
grep -q "\"usr/lib/x86_64-linux-gnu/libdinero.so.$version\"" Cargo.toml &&
  grep -q "link_name = \"libdinero.so.$version\"" Cargo.toml ||
  die "[package.metadata.deb] assets in Cargo.toml must name libdinero.so.$version"
grep -q "dest = \"usr/lib/x86_64-linux-gnu/libdinero.so.$abi\"" Cargo.toml ||
  die "[package.metadata.deb] assets in Cargo.toml must link libdinero.so.$abi (the SONAME)"
grep -q "^name = \"libdinero$abi\"" Cargo.toml && grep -q "^depends = \"libdinero$abi (= $version-1)\"" Cargo.toml ||
  die "[package.metadata.deb] in Cargo.toml must name the library's package libdinero$abi, which libdinero-dev depends on at $version-1"
head -n 1 packaging/deb/changelog | grep -q "^libdinero ($version-" ||
  die "packaging/deb/changelog must start with an entry for $version"
for manifest in bindings/python/pyproject.toml bindings/node/package.json; do
  grep -q "\"$version\"" "$manifest" || die "$manifest must have version $version"
done

# Packages built from the same commit are the same bytes (dates inside come from the commit),
# on any machine: the source paths panics and debug lines name are written from /cargo and
# /libdinero rather than from this builder's home and checkout.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH
cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$root=/libdinero"

echo "dist: [${SECONDS}s] cargo zigbuild --profile dist --target $triple.$glibc (library and dinero command)"
cargo zigbuild --quiet --profile dist --target "$triple.$glibc" -p dinero -p dinero-cli
soname=$(readelf -d "$built/libdinero.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libdinero.so.$abi" ] || die "libdinero.so has SONAME '$soname', not libdinero.so.$abi"
for binary in "$built/libdinero.so" "$built/dinero"; do
  ! strings "$binary" | grep -qF -e "$cargo_home" -e "$root" ||
    die "$binary names a path of this machine ($cargo_home or $root)"
  newest=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
  [ "$(printf '%s\n' "GLIBC_$glibc" "$newest" | sort -V | tail -n 1)" = "GLIBC_$glibc" ] ||
    die "$binary needs $newest, newer than glibc $glibc"
done

# Rust's standard library arrives in the static library with its debug sections; Debian strips
# them from static libraries (as dh_strip does), which also makes the .deb a fraction the size.
strip --strip-debug --enable-deterministic-archives "$built/libdinero.a"
# Debian's multiarch folder (x86_64-linux-gnu), where the .deb puts the library: not Rust's
# target triple (x86_64-unknown-linux-gnu), which names no folder on a Debian system.
sed -e "s|@PREFIX@|/usr|" -e "s|@LIBDIR@|/usr/lib/x86_64-linux-gnu|" -e "s|@VERSION@|$version|" \
  packaging/dinero.pc.in >"$built/dinero.pc"
help2man --no-info --version-string="$version" \
  --name="the Dinero accounting API from the command line" "$built/dinero" |
  gzip -9n >"$built/dinero.1.gz"

rm -rf dist "$stage"
mkdir -p dist "$stage"

# The notices of every crate built into the library and the command (their licences ask for
# them in binary packages), shipped beside the library in each package that carries it.
cargo about generate --offline --locked --fail -c packaging/about.toml -m cli/Cargo.toml \
  packaging/third-party.hbs -o "$built/LICENSE-THIRD-PARTY" 2>"$stage/about.log" ||
  { cat "$stage/about.log"; die "cargo about could not list every crate's licence"; }

echo "dist: [${SECONDS}s] cargo deb (libdinero$abi, libdinero-dev, dinero)"
# Control files cargo-deb does not write: md5sums (for dpkg --verify) in each, and shlibs in the
# library's (programs linked against libdinero.so.N depend on libdineroN). The ldconfig trigger
# belongs to the library's package only. dpkg-deb compresses each final package with xz (cargo
# deb --fast: its archive is only unpacked again).
debian_package() { # OUTPUT, cargo deb's options...
  local deb=$1 dir="$stage/deb"; shift
  cargo deb --quiet --fast --no-build --profile dist --target "$triple" --output "$deb" "$@" >/dev/null
  rm -rf "$dir"
  dpkg-deb --raw-extract "$deb" "$dir"
  case "$deb" in
    */libdinero"$abi"_*) echo "libdinero $abi libdinero$abi (>= $version)" >"$dir/DEBIAN/shlibs" ;;
    *) rm -f "$dir/DEBIAN/triggers" ;;
  esac
  (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
    xargs -0 md5sum) >"$dir/DEBIAN/md5sums"
  chmod 0644 "$dir"/DEBIAN/*
  chmod 0755 "$dir/DEBIAN"
  dpkg-deb --root-owner-group -Zxz --build "$dir" "$deb" >/dev/null
}
debian_package "dist/libdinero${abi}_${version}-1_amd64.deb" -p dinero
debian_package "dist/libdinero-dev_${version}-1_amd64.deb" -p dinero --variant dev
debian_package "dist/dinero_${version}-1_amd64.deb" -p dinero-cli

echo "dist: [${SECONDS}s] Python wheel and sdist"
tar -C bindings -cf - --exclude=.venv --exclude=build --exclude='*.egg-info' --exclude=__pycache__ \
  --exclude=.pytest_cache --exclude=.mypy_cache python | tar -C "$stage" -xf -
# setuptools ships LICEN[CS]E* files in the wheel's and the sdist's metadata; the third-party
# notices go only into the wheel, the one that carries the library.
cp LICENSE-MIT LICENSE-APACHE "$built/LICENSE-THIRD-PARTY" "$stage/python/"
DINERO_BUNDLE_LIBRARY="$built/libdinero.so" DINERO_WHEEL_PLATFORM=manylinux_2_17_x86_64 \
  "$DIST_PYTHON" -m build --no-isolation --wheel --outdir dist "$stage/python" >"$stage/wheel.log" 2>&1 ||
  { cat "$stage/wheel.log"; die "the wheel did not build"; }
rm -rf "$stage/python/LICENSE-THIRD-PARTY" "$stage/python/build"
DINERO_BUNDLE_LIBRARY=0 "$DIST_PYTHON" -m build --no-isolation --sdist --outdir dist "$stage/python" \
  >"$stage/sdist.log" 2>&1 || { cat "$stage/sdist.log"; die "the sdist did not build"; }

echo "dist: [${SECONDS}s] npm pack"
(cd bindings/node && DINERO_BUNDLE_LIBRARY="$built/libdinero.so" \
  npm pack --silent --pack-destination "$root/dist" >/dev/null)

echo "dist: [${SECONDS}s] composer archive"
tar -C bindings -cf - --exclude=vendor --exclude=lib php | tar -C "$stage" -xf -
cp LICENSE-MIT LICENSE-APACHE "$stage/php/"
export COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1
# A zip in a Composer artifact repository must say its version (Packagist takes it from git tags).
composer config --working-dir="$stage/php" version "$version"
composer archive --quiet --working-dir="$stage/php" --format=zip --dir="$root/dist" \
  --file="libdinero-php-$version"

(cd dist && sha256sum -- * >SHA256SUMS)
echo "dist: [${SECONDS}s] built into dist/:"
(cd dist && ls -l --time-style=+ -- * | awk '{print "  " $5 "\t" $NF}')
