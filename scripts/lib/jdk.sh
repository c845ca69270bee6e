# Sourced by the scripts: sets RECUR_JAVA_HOME to a JDK >= 25 (JAVA_HOME first, then /usr/lib/jvm),
# or prints one line saying what is missing and exits 2.
recur_java_major() { # $1: a java executable; prints its feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
recur_find_jdk() {
  local candidate best="" best_major=0 major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(recur_java_major "$candidate/bin/java")
    [ -n "$major" ] && [ "$major" -ge 25 ] || continue
    # JAVA_HOME wins when it qualifies; otherwise take the newest under /usr/lib/jvm.
    if [ "$candidate" = "${JAVA_HOME:-}" ]; then best=$candidate; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "recur: no JDK 25 or newer found (looked at JAVA_HOME=${JAVA_HOME:-unset} and /usr/lib/jvm); install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
    exit 2
  fi
  RECUR_JAVA_HOME=$best
}
