/** The atoll command line, and (with later issues) the MCP gateway. */
module dev.atoll.gateway {
    requires dev.atoll.runtime;
    requires java.logging;

    exports dev.atoll.gateway.cli;
}
