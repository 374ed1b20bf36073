package dev.atoll.gateway;

/**
 * A listener of the gateway cannot bind its address (the port is in use or not permitted). Thrown
 * before the gateway opens its data directory or mints tokens, so a failed start creates nothing.
 */
public final class ListenerUnavailableException extends GatewayException {

    private static final long serialVersionUID = 1L;

    private final String configKey;
    private final String host;
    private final int port;
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param configKey the configuration key of the port ({@code mcp.port} or {@code admin.port})
     * @param host the listener's host
     * @param port the port
     * @param reason why it cannot bind
     */
    public ListenerUnavailableException(String configKey, String host, int port, String reason) {
        super("cannot listen on " + host + ":" + port + " (" + configKey + "): " + reason);
        this.configKey = configKey;
        this.host = host;
        this.port = port;
        this.reason = reason;
    }

    /** @return why the port cannot be bound, for example {@code address already in use} */
    public String reason() {
        return reason;
    }

    /** @return the configuration key of the port: {@code mcp.port} or {@code admin.port} */
    public String configKey() {
        return configKey;
    }

    /** @return the listener's host */
    public String host() {
        return host;
    }

    /** @return the port that cannot be bound */
    public int port() {
        return port;
    }
}
