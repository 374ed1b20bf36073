/**
 * The {@code atoll} command line (picocli): run a tool once, serve the gateway, and the admin commands
 * (deploy, review, tokens, audit, upstreams) over the admin API. Entry type:
 * {@link dev.atoll.gateway.cli.Main}.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.cli {
    requires static org.jspecify;
    requires dev.atoll.gateway;
    requires info.picocli;
    requires dev.atoll.loadtest;
    requires java.logging;
    requires java.net.http;

    exports dev.atoll.gateway.cli;

    opens dev.atoll.gateway.cli to
            info.picocli;
}
