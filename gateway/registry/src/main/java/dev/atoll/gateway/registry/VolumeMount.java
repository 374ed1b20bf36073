package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * Persistent state for an upstream: a named volume (Docker) or a directory under the gateway's data
 * dir (bubblewrap) mounted writable at {@code path} inside the sandbox.
 *
 * @param name the volume name ({@code [a-z0-9][a-z0-9_.-]*})
 * @param path the absolute mount point inside the sandbox
 */
public record VolumeMount(String name, String path) {

    /** Checks the name and path. */
    public VolumeMount {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        if (!name.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("volume name '" + name + "' must match [a-z0-9][a-z0-9_.-]{0,62}");
        }
        if (!path.startsWith("/") || path.contains("..") || path.equals("/")) {
            throw new IllegalArgumentException("volume path '" + path + "' must be absolute, not /, without '..'");
        }
    }
}
