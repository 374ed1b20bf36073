package dev.atoll.gateway.registry;

/**
 * Resource limits for one upstream server's sandbox.
 *
 * @param memoryBytes memory limit in bytes (cgroup), at least 16 MiB
 * @param cpus CPU limit in cores (e.g. {@code 0.5}), more than 0
 * @param pids maximum number of processes and threads, at least 8
 */
public record UpstreamLimits(long memoryBytes, double cpus, int pids) {

    /** Defaults: 256 MiB, one core, 128 pids. */
    public static final UpstreamLimits DEFAULT = new UpstreamLimits(256L << 20, 1.0, 128);

    /** Checks the bounds. */
    public UpstreamLimits {
        if (memoryBytes < (16L << 20)) {
            throw new IllegalArgumentException("memoryBytes must be at least 16 MiB, was " + memoryBytes);
        }
        if (!(cpus > 0) || Double.isInfinite(cpus)) {
            throw new IllegalArgumentException("cpus must be more than 0, was " + cpus);
        }
        if (pids < 8) {
            throw new IllegalArgumentException("pids must be at least 8, was " + pids);
        }
    }
}
