package dev.atoll.gateway.registry;

/** Where an upstream MCP server runs: a closed set. */
public enum SandboxKind {
    /** A container through the Docker Engine API (Podman's compatible API works too). */
    DOCKER("docker"),
    /** A bubblewrap ({@code bwrap}) process sandbox, for hosts without a container engine. */
    BUBBLEWRAP("bubblewrap");

    private final String id;

    SandboxKind(String id) {
        this.id = id;
    }

    /** The name used in config, the CLI and the admin API, e.g. {@code docker}. */
    public String id() {
        return id;
    }

    /**
     * The kind named {@code id}.
     *
     * @param id {@code docker} or {@code bubblewrap}
     * @return the kind
     * @throws IllegalArgumentException for any other name
     */
    public static SandboxKind of(String id) {
        for (SandboxKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown sandbox kind '" + id + "' (expected docker or bubblewrap)");
    }
}
