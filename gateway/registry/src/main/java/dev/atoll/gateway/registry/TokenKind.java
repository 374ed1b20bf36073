package dev.atoll.gateway.registry;

/** The two kinds of bearer token; a token of one kind never authenticates as the other. */
public enum TokenKind {
    /** MCP clients of one tenant: list and call the tools in their scopes. */
    MCP("atoll_mcp_"),
    /** Operators: the admin API. */
    ADMIN("atoll_adm_");

    private final String prefix;

    TokenKind(String prefix) {
        this.prefix = prefix;
    }

    /** The prefix of generated tokens of this kind, e.g. {@code atoll_mcp_}, recognisable by secret scanners. */
    public String prefix() {
        return prefix;
    }
}
