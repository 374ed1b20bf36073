package dev.atoll.host.bindings;

/** Why the egress policy refused a request target; the checks run in this order. */
public enum DenyReason {
    /** Not an absolute, hierarchical URL with an authority, or an invalid port. */
    MALFORMED_URL,
    /** A scheme other than {@code http} or {@code https}. */
    UNSUPPORTED_SCHEME,
    /** {@code http} while the operator has not allowed it. */
    HTTP_NOT_ALLOWED,
    /** A host that is neither lowercase-able LDH labels nor a valid IP literal (percent-encoding,
     * non-ASCII, a zone id, a numeric-looking name that is no valid IPv4 literal, ...). */
    INVALID_HOST,
    /** The host is on the operator's deny list, which wins over everything. */
    OPERATOR_DENIED,
    /** An IP literal, in any notation, whose address the operator has not allowlisted. */
    IP_LITERAL,
    /** No entry of the tool's {@code egress} list matches the host and port. */
    NOT_IN_EGRESS,
    /** The port is not one the operator allows for the scheme. */
    PORT_NOT_ALLOWED,
    /** The resolver failed or returned no address. */
    UNRESOLVABLE,
    /** An address the host resolved to is not public and not allowlisted by the operator. */
    NON_PUBLIC_ADDRESS,
    /** A redirect beyond the operator's maximum. */
    TOO_MANY_REDIRECTS
}
