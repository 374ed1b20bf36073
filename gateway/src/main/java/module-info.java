/** The atoll command line, and (with later issues) the MCP gateway. */
module dev.atoll.gateway {
    requires dev.atoll.runtime;
    requires java.logging;
    requires java.sql;
    requires com.zaxxer.hikari;
    requires flyway.core;
    requires com.github.benmanes.caffeine;

    exports dev.atoll.gateway.cli;
    exports dev.atoll.gateway.registry;
    exports dev.atoll.gateway.audit;
}
