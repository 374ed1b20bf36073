package dev.atoll.gateway.upstream.internal;

import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxLauncher;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Runs upstream servers in a bubblewrap process sandbox: every namespace unshared (so no network),
 * the host root read-only, a private {@code /dev}, {@code /proc} and {@code /tmp}, each volume a
 * writable bind of a directory under the upstream's state root, all capabilities dropped, a new
 * session (no terminal injection), an environment holding only what the spec sets plus {@code PATH}
 * and {@code HOME}, and memory and pid limits through cgroups where the host allows (see
 * {@link #notEnforced()}).
 *
 * <p><b>Dies with the gateway.</b> {@code bwrap --die-with-parent} asks the kernel for SIGKILL when
 * its parent dies; the kernel means the parent <em>thread</em>, so every sandbox is spawned from one
 * long-lived platform thread of this launcher (a sandbox spawned from a short-lived or virtual
 * thread's carrier would be killed when that thread ends). The server runs as PID 1's child in its
 * own PID namespace, so when {@code bwrap} dies the kernel kills everything in it. A pid file per
 * sandbox under the run directory lets {@link #reapOrphans} clean up after a gateway killed in a
 * way that skipped all of this.
 */
public final class BubblewrapLauncher implements SandboxLauncher {

    private static final Logger LOG = Logger.getLogger(BubblewrapLauncher.class.getName());
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Optional<Path> bwrap;
    private final Path runDir;
    private final Cgroups cgroups;
    private final ExecutorService spawner;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private volatile Optional<String> unavailable;

    private BubblewrapLauncher(Optional<Path> bwrap, Path runDir, Cgroups cgroups) {
        this.bwrap = bwrap;
        this.runDir = runDir;
        this.cgroups = cgroups;
        this.spawner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "atoll-bwrap-spawner");
            t.setDaemon(true);
            return t;
        });
        this.unavailable = probe();
        if (unavailable.isEmpty() && !cgroups.notEnforced().isEmpty()) {
            LOG.warning("bubblewrap upstreams: limits not enforced on this host: "
                    + String.join("; ", cgroups.notEnforced()));
        }
    }

    /**
     * Creates the launcher.
     *
     * @param runDir where pid files of running sandboxes are kept (under the gateway's data dir)
     * @return the launcher
     */
    public static BubblewrapLauncher create(Path runDir) {
        return new BubblewrapLauncher(findOnPath("bwrap"), runDir, Cgroups.detect());
    }

    @Override
    public SandboxKind kind() {
        return SandboxKind.BUBBLEWRAP;
    }

    @Override
    public Optional<String> unavailableReason() {
        return unavailable;
    }

    /** Limits this host does not let the launcher enforce (cgroups), for logs and docs. */
    public List<String> notEnforced() {
        return cgroups.notEnforced();
    }

    private Optional<String> probe() {
        if (bwrap.isEmpty()) {
            return Optional.of("bubblewrap is not installed (no 'bwrap' on PATH; apt-get install bubblewrap)");
        }
        try {
            Process p = new ProcessBuilder(
                            bwrap.get().toString(),
                            "--unshare-all",
                            "--die-with-parent",
                            "--ro-bind",
                            "/",
                            "/",
                            "--dev",
                            "/dev",
                            "--proc",
                            "/proc",
                            "--",
                            "/bin/true")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("bwrap did not finish a trial run within 10 s");
            }
            if (p.exitValue() != 0) {
                return Optional.of("bwrap cannot create namespaces here (exit " + p.exitValue() + "): " + out
                        + " (unprivileged user namespaces disabled?)");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run bwrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing bwrap");
        }
    }

    @Override
    public Optional<String> refusal(UpstreamSpec spec, Path stateRoot) {
        return SandboxPaths.problem(spec, stateRoot, PATH);
    }

    @Override
    public SandboxProcess launch(LaunchRequest request) throws IOException {
        if (unavailable.isPresent()) {
            throw new IOException(unavailable.get());
        }
        String group = groupName(request.owner(), request.instanceId());
        List<String> cmd = new ArrayList<>();
        List<Path> procs = List.of();
        try {
            procs = cgroups.create(
                    group,
                    request.spec().limits().memoryBytes(),
                    request.spec().limits().pids());
        } catch (IOException e) {
            cgroups.destroy(group);
            throw e;
        }
        if (!procs.isEmpty()) {
            // Join the groups before exec'ing bwrap: every process of the sandbox is then inside.
            cmd.addAll(List.of(
                    "/bin/sh",
                    "-c",
                    "for f in \"$@\"; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125;"
                            + " done; while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"",
                    "atoll-cgroup"));
            procs.forEach(p -> cmd.add(p.toString()));
            cmd.add("--");
        }
        cmd.addAll(bwrapArgs(request));
        Files.createDirectories(runDir);
        Process process;
        try {
            Future<Process> f = spawner.submit(() -> new ProcessBuilder(cmd).start());
            process = f.get();
        } catch (ExecutionException e) {
            cgroups.destroy(group);
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cgroups.destroy(group);
            throw new IOException("interrupted while starting the sandbox");
        }
        Path pidFile = runDir.resolve(request.instanceId() + ".pid");
        long start = process.toHandle()
                .info()
                .startInstant()
                .map(java.time.Instant::toEpochMilli)
                .orElse(0L);
        Files.writeString(pidFile, request.owner() + " " + process.pid() + " " + start + " " + group + "\n");
        started.add(request.instanceId());
        return new BubblewrapProcess(process, () -> {
            cgroups.destroy(group);
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                LOG.fine("cannot delete " + pidFile + ": " + e.getMessage());
            }
            started.remove(request.instanceId());
        });
    }

    /** The bwrap command line for a request (without the cgroup wrapper). */
    List<String> bwrapArgs(LaunchRequest request) throws IOException {
        List<String> a = new ArrayList<>(List.of(
                bwrap.orElseThrow().toString(),
                "--unshare-all",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--tmpfs",
                "/tmp",
                "--cap-drop",
                "ALL",
                "--clearenv",
                "--setenv",
                "PATH",
                PATH));
        Map<String, String> env = request.spec().env();
        String home = request.spec().volumes().isEmpty()
                ? "/tmp"
                : request.spec().volumes().getFirst().path();
        a.addAll(List.of("--setenv", "HOME", env.getOrDefault("HOME", home)));
        env.forEach((k, v) -> {
            if (!k.equals("HOME")) {
                a.addAll(List.of("--setenv", k, v));
            }
        });
        // The private /tmp hides the host's: the command's own files under /tmp are bound back read-only.
        for (Path hidden : SandboxPaths.hiddenCommandPaths(
                request.spec().command(), request.spec().volumes(), request.stateRoot())) {
            a.addAll(List.of("--ro-bind", hidden.toString(), hidden.toString()));
        }
        for (VolumeMount v : request.spec().volumes()) {
            Path dir = request.stateRoot().resolve(v.name());
            Files.createDirectories(dir);
            // bwrap cannot make a mount point on the read-only root: only under /tmp or where a
            // directory already exists on the host.
            if (!v.path().startsWith("/tmp/") && !Files.isDirectory(Path.of(v.path()))) {
                throw new IOException("volume path " + v.path() + " does not exist on this host; under bubblewrap "
                        + "a volume must be mounted under /tmp/ or at an existing directory");
            }
            a.addAll(List.of("--bind", dir.toString(), v.path()));
        }
        List<String> command = request.spec().command();
        if (!request.spec().allowHosts().isEmpty()) {
            // Egress only through the gateway's egress proxy: its socket's directory is mounted (on a
            // tmpfs /run: bwrap cannot make a mount point on the read-only root) and socat inside the
            // network namespace forwards 127.0.0.1:3128 to it (EgressBridge).
            Path socket = request.egressSocket()
                    .orElseThrow(() -> new IOException("upstream '"
                            + request.spec().name() + "' allows hosts "
                            + request.spec().allowHosts()
                            + " but the gateway gave it no egress proxy"));
            Path socat = Stream.of("/usr/bin/socat", "/bin/socat", "/usr/local/bin/socat")
                    .map(Path::of)
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new IOException("upstream '"
                            + request.spec().name() + "' allows hosts, and egress under bubblewrap needs socat "
                            + "(apt-get install socat)"));
            EgressBridge bridge = new EgressBridge(socket);
            a.addAll(List.of(
                    "--tmpfs", "/run", "--ro-bind", bridge.hostDirectory().toString(), EgressBridge.SANDBOX_DIR));
            bridge.environment().forEach((k, v) -> a.addAll(List.of("--setenv", k, v)));
            command = bridge.wrap("/bin/sh", socat.toString(), command);
        }
        a.addAll(List.of("--chdir", home, "--"));
        a.addAll(command);
        return a;
    }

    @Override
    public int reapOrphans(String owner) {
        int reaped = 0;
        if (Files.isDirectory(runDir)) {
            try (Stream<Path> files = Files.list(runDir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                    String instance = f.getFileName().toString().replaceFirst("\\.pid$", "");
                    if (started.contains(instance)) {
                        continue;
                    }
                    String[] fields = Files.readString(f).trim().split(" ");
                    if (fields.length != 4 || !fields[0].equals(owner)) {
                        continue;
                    }
                    long pid = Long.parseLong(fields[1]);
                    long start = Long.parseLong(fields[2]);
                    Optional<ProcessHandle> h = ProcessHandle.of(pid)
                            .filter(p -> p.info()
                                            .startInstant()
                                            .map(java.time.Instant::toEpochMilli)
                                            .orElse(-1L)
                                    == start);
                    if (h.isPresent()) {
                        h.get().descendants().forEach(ProcessHandle::destroyForcibly);
                        h.get().destroyForcibly();
                        reaped++;
                    }
                    cgroups.destroy(fields[3]);
                    Files.deleteIfExists(f);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "cannot reap orphaned bubblewrap sandboxes in " + runDir, e);
            }
        }
        // Groups whose pid file is gone: their processes escaped everything else.
        String prefix = groupName(owner, "");
        for (String g : cgroups.groups(prefix)) {
            if (started.stream().noneMatch(i -> g.equals(groupName(owner, i)))) {
                cgroups.destroy(g);
            }
        }
        return reaped;
    }

    /** Stops the spawner thread: sandboxes still running get SIGKILL from the kernel. */
    public void close() {
        spawner.shutdownNow();
    }

    private static String groupName(String owner, String instance) {
        return "atoll-" + owner + "-" + instance;
    }

    private static Optional<Path> findOnPath(String exe) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse(PATH);
        for (String dir : (path + File.pathSeparator + PATH).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, exe);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** One bubblewrap sandbox. */
    static final class BubblewrapProcess implements SandboxProcess {
        private final Process process;
        private final Runnable cleanup;
        private final java.util.concurrent.atomic.AtomicBoolean cleaned =
                new java.util.concurrent.atomic.AtomicBoolean();

        BubblewrapProcess(Process process, Runnable cleanup) {
            this.process = process;
            this.cleanup = cleanup;
            var _ = process.onExit().thenRun(this::cleanupOnce);
        }

        @Override
        public String describe() {
            return "bwrap pid " + process.pid();
        }

        @Override
        public java.io.OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public java.io.InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public java.io.InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Integer> onExit() {
            return process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public void stop(Duration grace) {
            try {
                process.getOutputStream().close();
            } catch (IOException | UncheckedIOException e) {
                // already closed
            }
            try {
                if (!process.waitFor(Math.max(0, grace.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            cleanupOnce();
        }

        private void cleanupOnce() {
            if (cleaned.compareAndSet(false, true)) {
                cleanup.run();
            }
        }
    }
}
