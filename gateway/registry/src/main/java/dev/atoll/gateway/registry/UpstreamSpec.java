package dev.atoll.gateway.registry;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an operator registered with {@code atoll upstream add}: how to start one stdio MCP server.
 *
 * @param name the upstream name; its tools are listed as {@code NAME__tool}
 * @param kind the sandbox it runs in
 * @param image the container image ({@link SandboxKind#DOCKER} only)
 * @param command the command and its arguments, run inside the sandbox
 * @param env extra environment variables for the server
 * @param allowHosts hosts the server may reach through the egress proxy; empty means no network
 * @param volumes persistent state mounts
 * @param limits resource limits
 */
public record UpstreamSpec(
        String name,
        SandboxKind kind,
        Optional<String> image,
        List<String> command,
        Map<String, String> env,
        List<String> allowHosts,
        List<VolumeMount> volumes,
        UpstreamLimits limits) {

    /** Checks the values and copies the collections. */
    public UpstreamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(limits, "limits");
        if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("upstream name '" + name + "' must match [a-z][a-z0-9-]{0,31}");
        }
        command = List.copyOf(command);
        env = Map.copyOf(env);
        allowHosts = List.copyOf(allowHosts);
        volumes = List.copyOf(volumes);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("upstream '" + name + "' needs a command");
        }
        if (kind == SandboxKind.DOCKER && image.isEmpty()) {
            throw new IllegalArgumentException("upstream '" + name + "' runs in docker and needs an image");
        }
    }
}
