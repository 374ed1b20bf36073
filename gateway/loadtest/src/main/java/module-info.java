/**
 * {@code atoll loadtest}: open- and closed-model load of MCP {@code tools/call} against a running node
 * over HTTP, or of a tool file in this process's runtime, with HdrHistogram percentiles, a JSON result and a
 * self-contained HTML report.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.loadtest {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires transitive com.fasterxml.jackson.databind;
    requires java.net.http;
    requires HdrHistogram;
    requires info.picocli;

    exports dev.atoll.loadtest;

    opens dev.atoll.loadtest to
            info.picocli,
            com.fasterxml.jackson.databind;
}
