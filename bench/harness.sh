# Sourced by bench/run, bench/soak, bench/feeds and bench/children. bench_harness NAME builds the jar and the harness
# classes (unless BENCH_SKIP_BUILD=1 reuses target/ as it is), then copies them into target/NAME of
# its own, with its work directory target/NAME/work: a harness runs from its copy, so another one
# started meanwhile, or a build, replaces nothing under it. Sets BENCH_DIR.
bench_harness() {
  BENCH_DIR="target/$1"
  if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
    # the application jar (what feedsync runs as) and the harness classes (src/test/java/io/feedsync/bench)
    ./mvnw -q -DskipTests package
    ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
  fi
  rm -rf "$BENCH_DIR/classes" "$BENCH_DIR/test-classes"
  mkdir -p "$BENCH_DIR/work"
  cp target/feedsync.jar target/bench.classpath "$BENCH_DIR/"
  cp -r target/classes target/test-classes "$BENCH_DIR/"
}

# Runs the harness's main class from its copy; its work directory is its own unless --work says otherwise.
bench_exec() {
  local heap="$1" main="$2"
  shift 2
  exec java "-Xmx$heap" "-Dbench.jar=$BENCH_DIR/feedsync.jar" \
    -cp "$BENCH_DIR/test-classes:$BENCH_DIR/classes:$(cat "$BENCH_DIR/bench.classpath")" \
    "$main" --work "$BENCH_DIR/work" "$@"
}
