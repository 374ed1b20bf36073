package dev.atoll.gateway.backend;

/**
 * The Atoll release, as the gateway reports it to MCP peers: {@code serverInfo} to agents,
 * {@code clientInfo} to upstream servers. Here, below both, so neither side reaches into the other.
 */
public final class AtollVersion {

    /** The release version. */
    public static final String VALUE = "0.1.0";

    private AtollVersion() {}
}
