/** The atoll command line, the DLP engine, and (with later issues) the MCP gateway. */
module dev.atoll.gateway {
    requires dev.atoll.runtime;
    requires com.fasterxml.jackson.databind;
    requires re2j;
    requires java.logging;

    exports dev.atoll.gateway.cli;
    exports dev.atoll.gateway.dlp;
}
