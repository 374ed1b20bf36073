package dev.atoll.host.bindings;

import java.util.Objects;

/**
 * One HTTP header field as the fetch binding and its inspector see it.
 *
 * @param name the field name, lowercase
 * @param value the field value
 */
public record HttpHeader(String name, String value) {
    /** Rejects nulls. */
    public HttpHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
