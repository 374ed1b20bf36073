package dev.atoll.gateway.upstream.internal;

import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the bubblewrap sandbox must see of the host for a command to run, and what it cannot.
 *
 * <p>The sandbox mounts a private, empty {@code /tmp}, which hides the host's {@code /tmp}. A command
 * whose files live there (a checkout under {@code /tmp}, {@code node /tmp/x/server.js}) would not
 * find them. So every host path of the command (the program and each argument that is an absolute
 * path, and the target of each if it is a symbolic link) that exists on the host under {@code /tmp}
 * is made visible again, read-only and at the same path, by binding the directory directly under
 * {@code /tmp} that holds it ({@code /tmp/x} for {@code /tmp/x/a/server.js}), so that the files next
 * to it ({@code node_modules}, imports) resolve as well. That directory is never the one holding the
 * gateway's own data: if it would contain the upstream's state root, only the file's own directory
 * is bound, and nothing if that contains it too.
 */
final class SandboxPaths {

    static final Path TMP = Path.of("/tmp");
    private static final List<String> SCRIPT_SUFFIXES = List.of(".js", ".mjs", ".cjs", ".ts", ".mts", ".py");

    private SandboxPaths() {}

    /**
     * The host directories (or files) to bind read-only at their own path so the command's files under
     * {@code /tmp} are visible in the sandbox; none nested in another, in command order.
     *
     * @param command the program and its arguments
     * @param volumes the upstream's volumes (a path overlapping one is left to the volume)
     * @param stateRoot the upstream's state root on the host (under the gateway's data dir)
     * @return paths to bind
     */
    static List<Path> hiddenCommandPaths(List<String> command, List<VolumeMount> volumes, Path stateRoot) {
        Set<Path> roots = new LinkedHashSet<>();
        for (Path p : commandPaths(command)) {
            if (!p.startsWith(TMP) || p.getNameCount() < 2 || !Files.exists(p)) {
                continue;
            }
            Path top = TMP.resolve(p.getName(1));
            // p is under /tmp with 2+ names: it has a parent.
            Path own = Files.isDirectory(p) ? p : Objects.requireNonNull(p.getParent(), "parent");
            Optional<Path> bind = Optional.of(top)
                    .filter(t -> !contains(t, stateRoot))
                    .or(() -> Optional.of(own).filter(o -> !o.equals(TMP) && !contains(o, stateRoot)));
            bind.filter(b -> volumes.stream()
                            .map(v -> Path.of(v.path()))
                            .noneMatch(v -> v.startsWith(b) || b.startsWith(v)))
                    .ifPresent(roots::add);
        }
        List<Path> out = new ArrayList<>();
        for (Path r : roots) {
            if (roots.stream().noneMatch(o -> !o.equals(r) && r.startsWith(o))) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Why the command cannot run in the bubblewrap sandbox, found on the host before anything starts:
     * a program that is missing, not executable, relative, or not on the sandbox's {@code PATH}, a
     * script argument that does not exist, or a file the sandbox would hide.
     *
     * @param spec the upstream
     * @param stateRoot where its state will be on the host
     * @param sandboxPath the {@code PATH} inside the sandbox
     * @return the reason, or empty
     */
    static Optional<String> problem(UpstreamSpec spec, Path stateRoot, String sandboxPath) {
        List<String> command = spec.command();
        if (command.isEmpty()) {
            return Optional.of("the command is empty");
        }
        String program = command.getFirst();
        String fix = "; give the absolute path of a file that exists on the gateway's host";
        if (!program.contains("/")) {
            String path = spec.env().getOrDefault("PATH", sandboxPath);
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()
                        && dir.startsWith("/")
                        && Files.isExecutable(Path.of(dir, program))
                        && visible(Path.of(dir, program), spec, stateRoot)) {
                    return Optional.empty();
                }
            }
            return Optional.of("the program '" + program + "' is not on the sandbox's PATH (" + path + ")" + fix);
        }
        if (!program.startsWith("/")) {
            return Optional.of("the program '" + program + "' is a relative path, and the sandbox starts in its "
                    + "home directory, not where 'atoll' runs" + fix);
        }
        Optional<Path> p = path(program);
        if (p.isEmpty() || !Files.exists(p.get())) {
            return Optional.of("the program '" + program + "' does not exist on this host" + fix);
        }
        if (!Files.isExecutable(p.get()) || Files.isDirectory(p.get())) {
            return Optional.of("the program '" + program + "' is not an executable file");
        }
        if (!visible(p.get(), spec, stateRoot)) {
            return Optional.of(hidden(program));
        }
        for (String arg : command.subList(1, command.size())) {
            Optional<Path> a = path(arg);
            if (a.isEmpty()
                    || SCRIPT_SUFFIXES.stream()
                            .noneMatch(s -> arg.toLowerCase(Locale.ROOT).endsWith(s))
                    || underVolume(a.get(), spec)) {
                continue;
            }
            if (!Files.isRegularFile(a.get())) {
                return Optional.of("the script '" + arg + "' does not exist on this host" + fix);
            }
            if (!visible(a.get(), spec, stateRoot)) {
                return Optional.of(hidden(arg));
            }
        }
        return Optional.empty();
    }

    private static String hidden(String path) {
        return "'" + path + "' is under /tmp next to the gateway's data directory (or a volume), and the sandbox's "
                + "private /tmp would hide it; move the server out of /tmp or into a directory of its own";
    }

    private static boolean visible(Path p, UpstreamSpec spec, Path stateRoot) {
        List<Path> binds = hiddenCommandPaths(List.of(p.toString()), spec.volumes(), stateRoot);
        return Stream.concat(Stream.of(p), real(p).stream())
                .allMatch(x -> !x.startsWith(TMP) || binds.stream().anyMatch(x::startsWith));
    }

    private static boolean underVolume(Path p, UpstreamSpec spec) {
        return spec.volumes().stream().anyMatch(v -> p.startsWith(Path.of(v.path())));
    }

    /** Each absolute-path element of the command, normalised, and the real path of each that is a link. */
    private static List<Path> commandPaths(List<String> command) {
        List<Path> out = new ArrayList<>();
        for (String c : command) {
            path(c).ifPresent(p -> {
                out.add(p);
                real(p).filter(r -> !r.equals(p)).ifPresent(out::add);
            });
        }
        return out;
    }

    private static Optional<Path> path(String s) {
        if (!s.startsWith("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(s).normalize());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> real(Path p) {
        try {
            return Optional.of(p.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean contains(Path dir, Path other) {
        return other.toAbsolutePath().normalize().startsWith(dir);
    }
}
