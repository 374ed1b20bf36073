package dev.atoll.gateway.upstream.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Memory and pid limits through Linux cgroups, v1 (separate {@code memory} and {@code pids}
 * hierarchies) or v2 (the unified hierarchy with those controllers enabled for children). A group is
 * made next to the gateway's own group, named {@code atoll-OWNER-INSTANCE}; the sandbox's first
 * process joins it before it execs {@code bwrap}, so everything the server starts is inside.
 */
final class Cgroups {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Where one controller's groups are made (v1: per controller; v2: one directory for both). */
    private final Optional<Path> memoryParent;

    private final Optional<Path> pidsParent;
    private final boolean v2;
    private final List<String> notEnforced;

    private Cgroups(Optional<Path> memoryParent, Optional<Path> pidsParent, boolean v2, List<String> notEnforced) {
        this.memoryParent = memoryParent;
        this.pidsParent = pidsParent;
        this.v2 = v2;
        this.notEnforced = List.copyOf(notEnforced);
    }

    /** Detects what this host lets the gateway use. */
    static Cgroups detect() {
        List<String> missing = new ArrayList<>();
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            Optional<Path> own = ownGroup("").map(p -> ROOT.resolve(p.substring(1)));
            Optional<Path> parent = own.filter(p -> canMake(p) && controllers(p).contains("memory"));
            Optional<Path> pids = own.filter(p -> canMake(p) && controllers(p).contains("pids"));
            if (parent.isEmpty()) {
                missing.add("memory (cgroup v2: no writable group with the memory controller delegated)");
            }
            if (pids.isEmpty()) {
                missing.add("pids (cgroup v2: no writable group with the pids controller delegated)");
            }
            return new Cgroups(parent, pids, true, missing);
        }
        Optional<Path> mem = v1Parent("memory");
        Optional<Path> pids = v1Parent("pids");
        if (mem.isEmpty()) {
            missing.add("memory (no writable cgroup v1 memory hierarchy)");
        }
        if (pids.isEmpty()) {
            missing.add("pids (no writable cgroup v1 pids hierarchy)");
        }
        return new Cgroups(mem, pids, false, missing);
    }

    private static Optional<Path> v1Parent(String controller) {
        Path mount = ROOT.resolve(controller);
        if (!Files.isDirectory(mount)) {
            return Optional.empty();
        }
        Path own = ownGroup(controller).map(p -> mount.resolve(p.substring(1))).orElse(mount);
        return canMake(own) ? Optional.of(own) : Optional.empty();
    }

    /**
     * The directory of the group that holds a process for {@code controller}: on cgroup v2 its one
     * group (every controller lives there), on v1 its group in that controller's hierarchy.
     *
     * @param pid a process id
     * @param controller the controller: "pids" or "memory"
     * @return the directory under {@code /sys/fs/cgroup}, or empty if the process or hierarchy is gone
     */
    static Optional<Path> groupOf(long pid, String controller) {
        boolean v2 = Files.exists(ROOT.resolve("cgroup.controllers"));
        return group(Path.of("/proc", Long.toString(pid), "cgroup"), v2 ? "" : controller)
                .map(p -> (v2 ? ROOT : ROOT.resolve(controller)).resolve(p.substring(1)));
    }

    /** The gateway's own group path in the hierarchy of {@code controller} ("" = v2). */
    private static Optional<String> ownGroup(String controller) {
        return group(Path.of("/proc/self/cgroup"), controller);
    }

    private static Optional<String> group(Path procCgroup, String controller) {
        try {
            for (String line : Files.readAllLines(procCgroup)) {
                String[] f = line.split(":", 3);
                if (f.length == 3
                        && (controller.isEmpty()
                                ? f[0].equals("0") && f[1].isEmpty()
                                : List.of(f[1].split(",")).contains(controller))) {
                    return Optional.of(f[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: no cgroups
        }
        return Optional.empty();
    }

    private static List<String> controllers(Path group) {
        try {
            return List.of(Files.readString(group.resolve("cgroup.subtree_control"))
                    .trim()
                    .split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean canMake(Path parent) {
        Path probe = parent.resolve("atoll-probe-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(probe);
            Files.delete(probe);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** What is not enforced on this host (empty when memory and pid limits both are). */
    List<String> notEnforced() {
        return notEnforced;
    }

    /**
     * Makes the groups of one sandbox and sets their limits.
     *
     * @param name the group name
     * @param memoryBytes memory limit
     * @param pids pid limit
     * @return the {@code cgroup.procs} files the first process must write its pid into
     * @throws IOException if a limit cannot be set
     */
    List<Path> create(String name, long memoryBytes, int pids) throws IOException {
        List<Path> procs = new ArrayList<>();
        if (memoryParent.isPresent()) {
            Path g = Files.createDirectories(memoryParent.get().resolve(name));
            if (v2) {
                write(g.resolve("memory.max"), Long.toString(memoryBytes));
                write(g.resolve("memory.swap.max"), "0", true);
            } else {
                write(g.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                write(g.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes), true);
            }
            procs.add(g.resolve("cgroup.procs"));
        }
        if (pidsParent.isPresent()) {
            Path g = Files.createDirectories(pidsParent.get().resolve(name));
            write(g.resolve("pids.max"), Integer.toString(pids));
            if (!procs.contains(g.resolve("cgroup.procs"))) {
                procs.add(g.resolve("cgroup.procs"));
            }
        }
        return procs;
    }

    /** Kills every process still in the groups named {@code name} and removes the groups. */
    void destroy(String name) {
        for (Path parent : parents()) {
            Path g = parent.resolve(name);
            if (!Files.isDirectory(g)) {
                continue;
            }
            for (int i = 0; i < 50; i++) {
                List<Long> pids = members(g);
                if (pids.isEmpty()) {
                    break;
                }
                pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
                sleep(20);
            }
            for (int i = 0; i < 50; i++) {
                try {
                    Files.deleteIfExists(g);
                    break;
                } catch (IOException e) {
                    sleep(20);
                }
            }
        }
    }

    /** Names of groups whose name starts with {@code prefix}. */
    List<String> groups(String prefix) {
        List<String> out = new ArrayList<>();
        for (Path parent : parents()) {
            try (Stream<Path> s = Files.list(parent)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith(prefix) && !out.contains(n))
                        .forEach(out::add);
            } catch (IOException e) {
                // gone
            }
        }
        return out;
    }

    /** The group's peak memory use in bytes, if known. */
    Optional<Long> memoryPeak(String name) {
        return memoryParent.flatMap(p -> {
            try {
                return Optional.of(Long.parseLong(
                        Files.readString(p.resolve(name).resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes"))
                                .trim()));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private List<Path> parents() {
        List<Path> out = new ArrayList<>();
        memoryParent.ifPresent(out::add);
        pidsParent.filter(p -> !out.contains(p)).ifPresent(out::add);
        return out;
    }

    private static List<Long> members(Path group) {
        try {
            List<Long> out = new ArrayList<>();
            for (String l : Files.readAllLines(group.resolve("cgroup.procs"))) {
                if (!l.isBlank()) {
                    out.add(Long.parseLong(l.trim()));
                }
            }
            return out;
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    private static void write(Path file, String value) throws IOException {
        write(file, value, false);
    }

    private static void write(Path file, String value, boolean optional) throws IOException {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            if (!optional) {
                throw new IOException("cannot set " + file + " to " + value + ": " + e.getMessage(), e);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
