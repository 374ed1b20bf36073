package dev.atoll.gateway.upstream.spi;

import dev.atoll.gateway.registry.UpstreamSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One start of an upstream server.
 *
 * @param spec what to run
 * @param instanceId unique per start ({@code [a-z0-9-]+}), e.g. for the container name
 * @param owner the gateway's owner label (stable per data dir), for orphan clean-up
 * @param stateRoot a host directory owned by this upstream, under the gateway's data dir; the
 *     bubblewrap launcher keeps each {@link dev.atoll.gateway.registry.VolumeMount} in a
 *     sub-directory of it
 * @param egressSocket when the spec allows hosts: a Unix socket on the host where the gateway's
 *     egress proxy listens; the launcher makes it reachable inside the sandbox as an HTTP proxy and
 *     sets {@code HTTP_PROXY}/{@code HTTPS_PROXY}
 */
public record LaunchRequest(
        UpstreamSpec spec, String instanceId, String owner, Path stateRoot, Optional<Path> egressSocket) {

    /** Rejects nulls. */
    public LaunchRequest {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(stateRoot, "stateRoot");
        Objects.requireNonNull(egressSocket, "egressSocket");
    }
}
