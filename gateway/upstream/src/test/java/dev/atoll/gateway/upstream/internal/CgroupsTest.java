package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Finding a process's cgroup on this host, whichever cgroup version it runs. */
class CgroupsTest {

    @Test
    void theGroupOfAProcessHoldsItAsTheKernelReports() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/cgroup")), "no /proc here");
        long pid = ProcessHandle.current().pid();
        Optional<Path> group = Cgroups.groupOf(pid, "pids");
        assumeTrue(group.isPresent(), "no pids hierarchy on this host");
        Path procs = group.get().resolve("cgroup.procs");
        assumeTrue(Files.isReadable(procs), "the group is not visible from here: " + group.get());
        assertTrue(Files.readAllLines(procs).contains(Long.toString(pid)), () -> group.get() + " does not list " + pid);
    }
}
