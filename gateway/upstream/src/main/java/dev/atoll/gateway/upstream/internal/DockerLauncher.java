package dev.atoll.gateway.upstream.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.VolumeOptions;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxLauncher;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Runs each upstream server in its own container through the Docker Engine API (docker-java with
 * the Apache HttpClient 5 transport; Podman's Docker-compatible socket works too).
 *
 * <p>Every container: {@code --network none} (egress, where allowed, goes through the
 * {@link EgressBridge} to the gateway's {@link EgressProxy}), read-only root file system, a
 * {@code tmpfs} at {@code /tmp}, every capability dropped, {@code no-new-privileges}, memory (swap
 * included), CPU and pid limits from {@link UpstreamLimits}, one named volume per
 * {@link VolumeMount} (named {@code atoll-<owner>-<upstream>-<volume>}, kept across restarts), an
 * init process so signals reach the server, stdin open, no TTY. Containers are labelled with the
 * owner, the upstream and the instance, so {@link #reapOrphans} finds those a killed gateway left.
 */
public final class DockerLauncher implements SandboxLauncher {

    /** The default engine address. */
    public static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");

    static final String LABEL_OWNER = "dev.atoll.owner";
    static final String LABEL_UPSTREAM = "dev.atoll.upstream";
    static final String LABEL_INSTANCE = "dev.atoll.instance";

    private static final Logger LOG = Logger.getLogger(DockerLauncher.class.getName());
    private static final long TMPFS_BYTES = 64L << 20;

    private final URI host;
    /** For requests that answer at once (create, start, remove, list, ping): bounded by a response timeout. */
    private final DockerClient client;
    /** For the long-lived ones (attach, wait, stop with its grace period): no response timeout. */
    private final DockerClient streams;

    private final Set<String> startedHere = ConcurrentHashMap.newKeySet();

    private DockerLauncher(URI host) {
        this.host = host;
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host.toString())
                .build();
        this.client = DockerClientImpl.getInstance(
                config,
                new ApacheDockerHttpClient.Builder()
                        .dockerHost(config.getDockerHost())
                        .sslConfig(config.getSSLConfig())
                        .maxConnections(16)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .responseTimeout(Duration.ofSeconds(60))
                        .build());
        this.streams = DockerClientImpl.getInstance(
                config,
                new ApacheDockerHttpClient.Builder()
                        .dockerHost(config.getDockerHost())
                        .sslConfig(config.getSSLConfig())
                        .maxConnections(256)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .build());
    }

    /**
     * A launcher for the engine at {@code host}.
     *
     * @param host {@code unix:///path/to/docker.sock} (Docker, or Podman's
     *     {@code unix:///run/podman/podman.sock}) or {@code tcp://host:port}
     * @return the launcher; nothing is contacted until it is used
     */
    public static DockerLauncher create(URI host) {
        String scheme = Optional.ofNullable(host.getScheme()).orElse("");
        if (!scheme.equals("unix") && !scheme.equals("tcp")) {
            throw new IllegalArgumentException(
                    "upstreams.docker-host must be unix:///path or tcp://host:port, was '" + host + "'");
        }
        return new DockerLauncher(host);
    }

    @Override
    public SandboxKind kind() {
        return SandboxKind.DOCKER;
    }

    @Override
    public Optional<String> refusal(UpstreamSpec spec, Path stateRoot) {
        if (spec.image().isEmpty()) {
            return Optional.of("a Docker upstream needs an image (--image)");
        }
        String image = spec.image().get();
        try {
            client.inspectImageCmd(image).exec();
            return Optional.empty();
        } catch (NotFoundException e) {
            return Optional.of("the image '" + image + "' is not on the Docker engine at " + host + "; Atoll never "
                    + "pulls: load or build it there first (docker pull / docker load / docker build), then add again");
        } catch (RuntimeException e) {
            return Optional.empty(); // the engine may be busy: the start will say what is wrong
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        if (host.getScheme().equals("unix") && !Files.exists(Path.of(host.getPath()))) {
            return Optional.of("no Docker engine: the socket " + host.getPath() + " does not exist (start dockerd or "
                    + "Podman's API service, or set upstreams.docker-host)");
        }
        try {
            client.pingCmd().exec();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("no Docker engine answers at " + host + ": " + rootMessage(e));
        }
    }

    @Override
    public SandboxProcess launch(LaunchRequest request) throws IOException {
        UpstreamSpec spec = request.spec();
        if (spec.kind() != SandboxKind.DOCKER) {
            throw new IllegalArgumentException("upstream '" + spec.name() + "' is not a docker upstream");
        }
        String image = spec.image().orElseThrow();
        String name = containerName(request);
        List<String> command = spec.command();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount v : spec.volumes()) {
            mounts.add(new Mount()
                    .withType(MountType.VOLUME)
                    .withSource(volumeName(request.owner(), spec.name(), v))
                    .withTarget(v.path())
                    .withVolumeOptions(new VolumeOptions()
                            .withLabels(Map.of(LABEL_OWNER, request.owner(), LABEL_UPSTREAM, spec.name()))));
        }
        if (!spec.allowHosts().isEmpty() && request.egressSocket().isEmpty()) {
            throw new IOException("upstream '" + spec.name() + "' allows hosts " + spec.allowHosts()
                    + " but the gateway gave it no egress proxy");
        }
        if (request.egressSocket().isPresent()) {
            EgressBridge bridge = new EgressBridge(request.egressSocket().get());
            mounts.add(new Mount()
                    .withType(MountType.BIND)
                    .withSource(bridge.hostDirectory().toString())
                    .withTarget(EgressBridge.SANDBOX_DIR)
                    .withReadOnly(true));
            command = bridge.wrap("/bin/sh", "socat", command);
            env.putAll(bridge.environment());
        }
        UpstreamLimits limits = spec.limits();
        HostConfig hostConfig = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + TMPFS_BYTES))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withNanoCPUs(Math.max(1L, Math.round(limits.cpus() * 1e9)))
                .withPidsLimit((long) limits.pids())
                .withInit(true)
                .withMounts(mounts);
        Map<String, String> labels =
                Map.of(LABEL_OWNER, request.owner(), LABEL_UPSTREAM, spec.name(), LABEL_INSTANCE, request.instanceId());
        String id;
        try {
            CreateContainerResponse created = client.createContainerCmd(image)
                    .withName(name)
                    .withLabels(labels)
                    .withCmd(command)
                    .withEnv(env.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .toList())
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withStdinOpen(true)
                    .withStdInOnce(true)
                    .withTty(false)
                    .withNetworkDisabled(true)
                    .withHostConfig(hostConfig)
                    .exec();
            id = created.getId();
        } catch (NotFoundException e) {
            throw new IOException(
                    "docker: image '" + image + "' is not on the engine at " + host
                            + " (Atoll never pulls; load or build it first): " + rootMessage(e),
                    e);
        } catch (RuntimeException e) {
            throw new IOException(
                    "docker: could not create the container for upstream '" + spec.name() + "': " + rootMessage(e), e);
        }
        startedHere.add(id);
        DockerProcess process;
        try {
            process = new DockerProcess(id, name);
            process.attachAndStart();
        } catch (IOException | RuntimeException e) {
            removeQuietly(id);
            throw e instanceof IOException io
                    ? io
                    : new IOException("docker: could not start upstream '" + spec.name() + "': " + rootMessage(e), e);
        }
        return process;
    }

    @Override
    public int reapOrphans(String owner) {
        List<Container> containers;
        try {
            containers = client.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(LABEL_OWNER, owner))
                    .exec();
        } catch (RuntimeException e) {
            LOG.warning("docker: could not list containers to clean up after a previous run: " + rootMessage(e));
            return 0;
        }
        int removed = 0;
        for (Container c : containers) {
            if (!owner.equals(c.getLabels().get(LABEL_OWNER)) || startedHere.contains(c.getId())) {
                continue;
            }
            if (removeQuietly(c.getId())) {
                LOG.info("docker: removed container " + String.join(",", c.getNames()) + " left by a previous run");
                removed++;
            }
        }
        return removed;
    }

    /** The container's name: {@code atoll-<instance>}. */
    static String containerName(LaunchRequest request) {
        if (!request.instanceId().matches("[a-z0-9][a-z0-9-]{0,100}")) {
            throw new IllegalArgumentException("instanceId must match [a-z0-9][a-z0-9-]*: " + request.instanceId());
        }
        return "atoll-" + request.instanceId();
    }

    /**
     * The named volume for one mount: {@code atoll-<owner>-<upstream>-<volume>}, the owner reduced to
     * at most 12 of its letters and digits so two gateways on one engine keep apart.
     */
    static String volumeName(String owner, String upstream, VolumeMount volume) {
        String o = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        o = o.substring(0, Math.min(12, o.length()));
        return "atoll-" + (o.isEmpty() ? "" : o + "-") + upstream + "-" + volume.name();
    }

    /** The docker client, for tests in this package. */
    DockerClient client() {
        return client;
    }

    private boolean removeQuietly(String id) {
        try {
            client.removeContainerCmd(id)
                    .withForce(true)
                    .withRemoveVolumes(false)
                    .exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "docker: could not remove container " + id + ": " + rootMessage(e));
            return false;
        }
    }

    @SuppressWarnings("ReferenceEquality") // a cause that is its own cause ends the chain: identity is meant
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.strip();
    }

    /** One container: stdio through a hijacked attach connection, demultiplexed by docker-java. */
    private final class DockerProcess implements SandboxProcess {
        private final String id;
        private final String name;
        private final Pipe stdinPipe;
        private final Pipe stdoutPipe;
        private final Pipe stderrPipe;
        private final OutputStream stdin;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        /** The attach stream, from {@link #attachAndStart()} on. */
        private volatile ResultCallback.@Nullable Adapter<Frame> attach;

        DockerProcess(String id, String name) throws IOException {
            this.id = id;
            this.name = name;
            this.stdinPipe = Pipe.open();
            this.stdoutPipe = Pipe.open();
            this.stderrPipe = Pipe.open();
            // stderr is logs: when nobody drains it, drop rather than stall stdout behind it.
            stderrPipe.sink().configureBlocking(false);
            this.stdin = Channels.newOutputStream(stdinPipe.sink());
            this.stdout = Channels.newInputStream(stdoutPipe.source());
            this.stderr = Channels.newInputStream(stderrPipe.source());
        }

        void attachAndStart() throws IOException {
            ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    try {
                        switch (frame.getStreamType()) {
                            case STDOUT, RAW -> writeFully(stdoutPipe.sink(), frame.getPayload());
                            case STDERR -> stderrPipe.sink().write(ByteBuffer.wrap(frame.getPayload()));
                            default -> {}
                        }
                    } catch (IOException e) {
                        // The reader closed its end: nothing more to deliver.
                    }
                }

                @Override
                public void onError(Throwable throwable) {
                    if (!stopped.get()) {
                        LOG.fine("docker: attach stream of " + name + " ended: " + rootMessage(throwable));
                    }
                    closeOutputs();
                    super.onError(throwable);
                }

                @Override
                public void onComplete() {
                    closeOutputs();
                    super.onComplete();
                }
            };
            attach = streams.attachContainerCmd(id)
                    .withStdIn(Channels.newInputStream(stdinPipe.source()))
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .withLogs(true)
                    .exec(callback);
            try {
                if (!callback.awaitStarted(10, TimeUnit.SECONDS)) {
                    throw new IOException("docker: attaching to " + name + " took more than 10 s");
                }
                client.startContainerCmd(id).exec();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("docker: interrupted while starting " + name, e);
            } catch (DockerException e) {
                throw new IOException("docker: could not start " + name + ": " + rootMessage(e), e);
            }
            Thread.ofVirtual().name("docker-wait-" + name).start(this::awaitExit);
        }

        private void awaitExit() {
            int code = -1;
            try {
                code = streams.waitContainerCmd(id)
                        .exec(new WaitContainerResultCallback())
                        .awaitStatusCode();
            } catch (RuntimeException e) {
                // Removed under us (stop, reap) or the engine went away: the exit code is unknown.
            }
            exit.complete(code);
            // Let the attach stream drain what the server wrote last, then end it.
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeOutputs();
        }

        private void writeFully(Pipe.SinkChannel sink, byte[] data) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                sink.write(buf);
            }
        }

        private void closeOutputs() {
            try {
                stdoutPipe.sink().close();
            } catch (IOException ignored) {
                // already closed
            }
            try {
                stderrPipe.sink().close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public String describe() {
            return "docker container " + name + " (" + id.substring(0, Math.min(12, id.length())) + ")";
        }

        @Override
        public OutputStream stdin() {
            return stdin;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return stderr;
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public CompletableFuture<Integer> onExit() {
            return exit;
        }

        @Override
        public void stop(Duration grace) {
            if (!stopped.compareAndSet(false, true)) {
                exit.join();
                return;
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already closed
            }
            // The attach connection does not carry a half-close to the container's stdin, so the
            // closed stdin may never reach the server: docker stop sends SIGTERM (through the init
            // process) and SIGKILL after the grace period.
            if (!exit.isDone()) {
                try {
                    streams.stopContainerCmd(id)
                            .withTimeout((int) Math.max(0, Math.min(3600, (grace.toMillis() + 999) / 1000)))
                            .exec();
                } catch (NotFoundException | NotModifiedException e) {
                    // already gone or already stopped
                } catch (RuntimeException e) {
                    LOG.warning("docker: could not stop " + name + ": " + rootMessage(e));
                }
            }
            removeQuietly(id);
            startedHere.remove(id);
            try {
                exit.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                exit.complete(-1);
            }
            closeOutputs();
            try {
                if (attach != null) {
                    attach.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
