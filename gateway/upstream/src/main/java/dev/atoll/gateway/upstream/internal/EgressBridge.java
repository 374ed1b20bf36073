package dev.atoll.gateway.upstream.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a launcher needs to make the gateway's egress proxy reachable inside a sandbox that has no
 * network: the proxy listens on a Unix socket on the host ({@link EgressProxy}); the launcher mounts
 * the socket's directory at {@link #SANDBOX_DIR}, starts {@code socat} inside the sandbox to listen on
 * {@code 127.0.0.1:3128} (the sandbox's own loopback) and forward every connection to that socket,
 * then execs the server command with the usual proxy variables set. The server never gets a route
 * anywhere: whatever it reaches, it reaches through the proxy, which applies the allowlist, the SSRF
 * rules and DLP.
 *
 * <p>The sandbox needs {@code /bin/sh} and {@code socat}: the bubblewrap launcher uses the host's
 * (pass the absolute path of socat), a container image must bring its own (the test image does, see
 * {@code scripts/docker-image.sh}). Under bubblewrap the mount point cannot be created on the
 * read-only root: mount a tmpfs first, {@code --tmpfs /run --ro-bind DIR /run/atoll-egress}
 * (see {@code EgressBridgeTest}).
 *
 * @param hostSocket the proxy's Unix socket on the host
 */
public record EgressBridge(Path hostSocket) {

    /** Where the socket's directory is mounted (read-only) inside the sandbox. */
    public static final String SANDBOX_DIR = "/run/atoll-egress";

    /** The loopback port inside the sandbox where the bridge listens. */
    public static final int PORT = 3128;

    /** Checks the socket path: absolute, and a file name socat's address syntax takes as is. */
    public EgressBridge {
        Objects.requireNonNull(hostSocket, "hostSocket");
        if (!hostSocket.isAbsolute() || hostSocket.getParent() == null) {
            throw new IllegalArgumentException("egress socket must be an absolute path: " + hostSocket);
        }
        if (!hostSocket.getFileName().toString().matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException(
                    "egress socket file name must match [A-Za-z0-9_.-]{1,64}: " + hostSocket);
        }
    }

    /** The host directory to mount at {@link #SANDBOX_DIR}. */
    public Path hostDirectory() {
        return Objects.requireNonNull(hostSocket.getParent(), "checked by the constructor");
    }

    /** The socket's path inside the sandbox. */
    public String sandboxSocket() {
        return SANDBOX_DIR + "/" + hostSocket.getFileName();
    }

    /** The proxy URL the server is given. */
    public String proxyUrl() {
        return "http://127.0.0.1:" + PORT;
    }

    /**
     * The command that starts the bridge in the background, then replaces the shell with the server
     * (so the server keeps the shell's pid and gets the signals). Arguments are passed as positional
     * parameters, never spliced into the script, so they need no quoting.
     *
     * @param shell the shell inside the sandbox, e.g. {@code /bin/sh}
     * @param socat the socat binary inside the sandbox, e.g. {@code socat} or {@code /usr/bin/socat}
     * @param command the server command and its arguments
     * @return the wrapped command
     */
    public List<String> wrap(String shell, String socat, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        List<String> out = new ArrayList<>(command.size() + 4);
        out.add(shell);
        out.add("-c");
        // $0 is the socat binary, $1 the socket; shift them away and exec the rest.
        out.add("s=\"$0\"; u=\"$1\"; shift; \"$s\" TCP-LISTEN:" + PORT
                + ",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:\"$u\" & exec \"$@\"");
        out.add(socat);
        out.add(sandboxSocket());
        out.addAll(command);
        return out;
    }

    /**
     * The environment for the server: {@code HTTP_PROXY}, {@code HTTPS_PROXY} in both cases, and
     * {@code NODE_USE_ENV_PROXY=1} (Node 22.21+ honours the variables only with it).
     *
     * @return the variables
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(key, proxyUrl());
        }
        env.put("NO_PROXY", "");
        env.put("no_proxy", "");
        env.put("NODE_USE_ENV_PROXY", "1");
        return env;
    }
}
