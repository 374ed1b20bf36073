package dev.atoll.host.bindings;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the {@code fetch} binding gets the real value of a secret a tool declares in its manifest
 * ({@code secrets: {NAME: [hosts...]}}). Operators configure values per tool, never in the tool file;
 * the gateway feeds them from its configuration. The value never enters the guest: the guest only has
 * the placeholder {@code atoll-secret:NAME} ({@code env.secrets.NAME}), which the binding replaces in
 * request headers and bodies sent to the hosts the secret is bound to.
 *
 * <p>Values must be at least {@value #MIN_LENGTH} characters and contain no control characters
 * (they go into header values); the binding refuses a request that needs an invalid or missing one.
 */
@FunctionalInterface
public interface SecretSource {

    /** Shortest accepted secret value: shorter values would be scrubbed from too much ordinary text. */
    int MIN_LENGTH = 8;

    /**
     * @param tool the tool's name
     * @param name the secret's name from the manifest ({@code [A-Z][A-Z0-9_]{0,63}})
     * @return the value, or empty if the operator configured none for this tool
     */
    Optional<String> value(String tool, String name);

    /** @return a source without any secret */
    static SecretSource none() {
        return (tool, name) -> Optional.empty();
    }

    /**
     * The same values for every tool (a tool still gets only the secrets its manifest declares), as
     * for {@code atoll run --secret NAME=VALUE}.
     *
     * @param values secret name to value
     * @return the source
     * @throws HostBindingsException naming the secret (never its value) if a value is invalid
     */
    static SecretSource of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        copy.forEach(SecretSource::validate);
        return (tool, name) -> Optional.ofNullable(copy.get(name));
    }

    /**
     * Checks a secret value without ever putting it in the exception message.
     *
     * @param name the secret's name
     * @param value its value
     * @throws HostBindingsException if the value is too short or has control characters
     */
    static void validate(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (value.length() < MIN_LENGTH) {
            throw new HostBindingsException(
                    "the value of secret " + name + " is shorter than " + MIN_LENGTH + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new HostBindingsException("the value of secret " + name + " contains a control character");
        }
    }
}
