package dev.atoll.gateway.upstream.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One running upstream server: its stdio and its lifecycle. Thread-safe. */
public interface SandboxProcess {

    /** A short description for logs and {@code upstream list}: container id or pid. */
    String describe();

    /** The server's standard input (newline-delimited JSON-RPC goes here). */
    OutputStream stdin();

    /** The server's standard output (newline-delimited JSON-RPC comes from here). */
    InputStream stdout();

    /** The server's standard error (its logs). */
    InputStream stderr();

    /** Whether the server is still running. */
    boolean isAlive();

    /** Completes with the exit code when the server has exited (-1 if it is unknown). */
    CompletableFuture<Integer> onExit();

    /**
     * Stops the server: closes its stdin, waits up to {@code grace}, then kills it and everything
     * it started, and removes the sandbox (container). Idempotent.
     *
     * @param grace how long to wait for a clean exit
     */
    void stop(Duration grace);
}
