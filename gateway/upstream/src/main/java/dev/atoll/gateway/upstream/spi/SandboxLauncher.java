package dev.atoll.gateway.upstream.spi;

import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Starts upstream servers in one kind of sandbox. Thread-safe. */
public interface SandboxLauncher {

    /** The kind of sandbox this launcher makes. */
    SandboxKind kind();

    /**
     * Why this launcher cannot run on this host (no {@code bwrap} binary, no Docker engine at the
     * configured address, ...), or empty when it can.
     *
     * @return a message for an operator, or empty
     */
    Optional<String> unavailableReason();

    /**
     * Why this upstream could not start in this launcher's sandbox, as far as the host can tell
     * before anything runs (a program that does not exist or that the sandbox cannot see, an image
     * the engine does not have), or empty. Checked when an upstream is added, so the mistake is
     * refused then, not found later in the logs of a server that keeps restarting.
     *
     * @param spec the upstream
     * @param stateRoot the host directory that will hold its state (under the gateway's data dir)
     * @return a message for an operator that says what is wrong and what to do, or empty
     */
    default Optional<String> refusal(UpstreamSpec spec, Path stateRoot) {
        return Optional.empty();
    }

    /**
     * Starts the server. The process is labelled with {@link LaunchRequest#owner()} so that
     * {@link #reapOrphans} finds it after the gateway died without stopping it.
     *
     * @param request what to start and how
     * @return the running process, its stdio connected
     * @throws IOException if it could not be started (the message is for an operator)
     */
    SandboxProcess launch(LaunchRequest request) throws IOException;

    /**
     * Stops and removes every sandbox labelled with {@code owner} that this gateway did not start
     * in its current run: left over from a gateway that was killed. Called once at start.
     *
     * @param owner the owner label of this gateway's data dir
     * @return how many were removed
     */
    int reapOrphans(String owner);
}
