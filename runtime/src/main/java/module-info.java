/**
 * Atoll's runtime: one call of one tool version in a fresh, sandboxed GraalVM context, under CPU,
 * wall-time, memory, output and log limits that Atoll enforces itself.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.runtime {
    requires static org.jspecify;
    requires transitive org.graalvm.polyglot;
    requires transitive com.fasterxml.jackson.databind;
    requires com.networknt.schema;
    requires re2j;
    requires java.management;
    requires jdk.management;

    exports dev.atoll.runtime;
    exports dev.atoll.runtime.spi;
}
