#!/bin/sh
# SPDX-License-Identifier: MIT
#
# build_lucene.sh - builds the Lucene 8 peer of bench/ (bench/peers/LucenePeer.java).
#
# Needs Debian's liblucene8-java (installed here with apt-get when run as root; otherwise the
# command is printed) and a JDK (javac, java 11 or later).  Compiles into build/peers/lucene/
# and writes the wrapper build/peers/lucene_peer, which runs
#   java -Xmx2g -cp <lucene jars>:build/peers/lucene LucenePeer "$@"
# (see the top of LucenePeer.java for its two modes).  Run from anywhere; paths are relative
# to the repository root.  Exit status: 0 when the wrapper is written, 1 on any failure.
#
# Knobs: LUCENE_JAR_DIR (where the jars are, default /usr/share/java), JAVAC, JAVA.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
src="$root/bench/peers/LucenePeer.java"
out="$root/build/peers/lucene"
wrapper="$root/build/peers/lucene_peer"
jar_dir=${LUCENE_JAR_DIR:-/usr/share/java}
javac=${JAVAC:-javac}
java=${JAVA:-java}

die() {
    echo "build_lucene.sh: $*" >&2
    exit 1
}

# The jar of one Lucene module: lucene8-NAME.jar, lucene-NAME.jar or lucene-NAME-VERSION.jar
# (Debian's 8.8.1 package ships the last form, named 8.7.0).
find_jar() {
    for f in "$jar_dir/lucene8-$1.jar" "$jar_dir/lucene-$1.jar" "$jar_dir"/lucene-"$1"-8.*.jar; do
        if [ -f "$f" ]; then
            echo "$f"
            return 0
        fi
    done
    return 1
}

if ! find_jar core >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "build_lucene.sh: installing liblucene8-java" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y liblucene8-java >&2 ||
            die "apt-get install liblucene8-java failed"
    else
        die "Lucene 8 jars not found in $jar_dir; install them with:
    sudo apt-get install -y liblucene8-java"
    fi
fi

command -v "$javac" >/dev/null || die "no javac (install a JDK, e.g. openjdk-17-jdk-headless)"
command -v "$java" >/dev/null || die "no java"

cp=""
for m in core queryparser; do
    j=$(find_jar "$m") || die "no Lucene $m jar in $jar_dir"
    cp="$cp${cp:+:}$j"
done

mkdir -p "$out"
"$javac" -nowarn -encoding UTF-8 -cp "$cp" -d "$out" "$src" || die "javac failed"

tmp="$wrapper.tmp.$$"
cat >"$tmp" <<EOF
#!/bin/sh
# Written by bench/peers/build_lucene.sh: the Lucene 8 peer of bench/.
exec "$java" -Xmx2g -cp "$cp:$out" LucenePeer "\$@"
EOF
chmod +x "$tmp"
mv "$tmp" "$wrapper"
echo "build_lucene.sh: wrote $wrapper" >&2
