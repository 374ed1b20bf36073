package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.registry.Registry;
import java.time.Duration;
import java.util.logging.Logger;

/** Opens the registry ({@code registry.*}, {@code fleet.*}, {@code node.*}). */
public final class RegistryStart {

    private static final Logger LOG = Logger.getLogger(RegistryStart.class.getName());

    private RegistryStart() {}

    /**
     * Opens the registry. A PostgreSQL database that does not answer at start is reported and retried
     * (back-off 0.5-10 s) for {@code registry.start-timeout-ms}: the node starts nothing else
     * meanwhile, so it never serves an empty catalogue as if it were the fleet's. An embedded H2
     * database fails at once (its problems are not outages).
     *
     * @param config the configuration
     * @return the open registry
     */
    public static Registry open(GatewayConfig config) {
        dev.atoll.gateway.registry.RegistryConfig rc =
                config.registry().toRegistryConfig(config.dataDir(), config.fleet(), config.node());
        long deadline = System.nanoTime()
                + Duration.ofMillis(config.registry().startTimeoutMs()).toNanos();
        long backoffMs = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                return Registry.open(rc);
            } catch (dev.atoll.gateway.registry.RegistryException e) {
                if (e.reason() != dev.atoll.gateway.registry.RegistryException.Reason.STORAGE
                        || !rc.jdbcUrl().startsWith("jdbc:postgresql:")
                        || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LOG.warning("the registry database " + rc.redactedUrl() + " is unreachable (" + e.getMessage()
                        + "): not serving until it answers; retrying in " + backoffMs + " ms (attempt " + attempt
                        + ")");
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }
}
