/**
 * Data-loss prevention: the rule pack and {@link dev.atoll.gateway.dlp.DlpEngine} (detect, block, redact
 * secrets and personal data in arguments, results and egress). Implements host-bindings' egress
 * inspection SPI ({@link dev.atoll.gateway.dlp.DlpEgressInspector}) and needs nothing else of Atoll.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.dlp {
    requires static org.jspecify;
    requires transitive dev.atoll.host.bindings;
    requires transitive com.fasterxml.jackson.databind;
    requires re2j;

    exports dev.atoll.gateway.dlp;
}
