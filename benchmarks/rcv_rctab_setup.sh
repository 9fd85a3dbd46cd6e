#!/bin/sh
# Build RCTab 2.0.1's command line from its source with Debian's Java packages only (no Gradle, no
# Maven download), for `python benchmarks/rcv_bench.py --rctab`.
#
#   benchmarks/rcv_rctab_setup.sh RCTAB_SOURCE_CHECKOUT [OUT_DIR]
#
# RCTAB_SOURCE_CHECKOUT: a clone of https://github.com/BrightSpots/rcv (2.0.1 was measured, commit
# 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f). OUT_DIR (default $TMPDIR/electoral-bench/rctab) gets
# classes/ and classpath.txt; the bench reads them from there (or from $RCTAB_HOME).
#
# RCTab targets Java 21, Jackson 2.19 and JavaFX 21; Debian 12 has Java 17, Jackson 2.14 and
# JavaFX 11. Three lines of GUI and signature code do not compile against those, so the copy made
# here is patched (never the checkout): JavaFX 18's Background.fill is spelled out, and two
# catch blocks take IOException (what Jackson 2.14's writeValueAsString declares). None of them is
# on the --cli tabulation path. RunCli calls Main.main from a class that is not a JavaFX
# Application, so the java launcher does not start the JavaFX toolkit (there is no display).
set -eu
SRC=${1:?usage: rcv_rctab_setup.sh RCTAB_SOURCE_CHECKOUT [OUT_DIR]}
OUT=${2:-${TMPDIR:-/tmp}/electoral-bench/rctab}
apt-get install -y -q --no-install-recommends default-jdk-headless libcommons-cli-java \
    libcommons-csv-java libapache-poi-java libjackson2-core-java libjackson2-annotations-java \
    libjackson2-databind-java libjackson2-dataformat-xml-java libfindbugs-annotations-java \
    libopenjfx-java >/dev/null
rm -rf "$OUT/src" "$OUT/classes"
mkdir -p "$OUT/classes" "$OUT/launcher"
cp -r "$SRC/src/main" "$OUT/src"
J=$OUT/src/java/network/brightspots/rcv
sed -i 's/Background\.fill(\([A-Za-z.]*\))/new Background(new javafx.scene.layout.BackgroundFill(\1, null, null))/g' \
    "$J/Logger.java"
sed -i 's/catch (JsonProcessingException /catch (java.io.IOException /g' "$J/GuiConfigController.java"
sed -i 's/catch (JsonProcessingException e)/catch (java.io.IOException e)/' "$J/SecuritySignatureValidation.java"
CP=""
for jar in commons-cli commons-csv poi poi-ooxml poi-ooxml-schemas xmlbeans jackson-core \
        jackson-databind jackson-annotations jackson-dataformat-xml findbugs-annotations jsr305 \
        javafx-base javafx-controls javafx-fxml javafx-graphics commons-collections4 \
        commons-compress stax2-api; do
    [ -f "/usr/share/java/$jar.jar" ] && CP="$CP/usr/share/java/$jar.jar:"
done
javac --release 17 -nowarn -d "$OUT/classes" -cp "$CP" \
    $(find "$OUT/src/java" -name '*.java' ! -name module-info.java)
cp -r "$OUT/src/resources/." "$OUT/classes/"
cat > "$OUT/launcher/RunCli.java" <<'EOF'
public class RunCli {
  public static void main(String[] args) throws Exception {
    network.brightspots.rcv.Main.main(args);
  }
}
EOF
javac --release 17 -d "$OUT/classes" -cp "$OUT/classes:$CP" "$OUT/launcher/RunCli.java"
printf '%s' "$OUT/classes:$CP" > "$OUT/classpath.txt"
echo "RCTab built in $OUT (java -cp \$(cat $OUT/classpath.txt) RunCli --cli CONFIG --name NAME)"
