package dev.atoll.gateway.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the registry database is and how the audit writer batches. Built by {@link #builder()};
 * every builder method fails fast and names the offending value. Keys and defaults are documented
 * in {@code docs/configuration.md}, "Registry and audit".
 *
 * @param dataDir the data directory (the default database lives in it)
 * @param jdbcUrl the JDBC URL ({@code jdbc:h2:file:...} or {@code jdbc:postgresql://...})
 * @param user database user, if the URL needs one
 * @param password database password, if the URL needs one
 * @param maxConnections connection pool size
 * @param connectionTimeout how long to wait for a pooled connection
 * @param adminTimeout how long an operator's change (an admin mutation) waits for a pooled
 *     connection before it fails ({@code STORAGE}); at most {@code connectionTimeout} is used
 * @param auditQueueCapacity call records that may wait for the audit writer
 * @param auditBatchSize most call records written in one transaction
 * @param auditEnqueueTimeout how long {@code recordCall} waits for queue space before failing
 * @param auditCloseTimeout how long {@code close()} keeps retrying to write queued records
 * @param auditSpoolMaxBytes largest size of the audit spool {@code <dataDir>/audit-spool.jsonl} that
 *     holds call records while the database does not take them (0: no spool; calls are refused then)
 * @param tokenCacheTtl how long an authenticated token is cached in memory (0: no cache)
 * @param catalogueRefresh how often the serving catalogue is re-checked against the database for
 *     changes made by other nodes (local changes are seen at once); with notifications, the fallback
 * @param notifications on PostgreSQL, listen for other nodes' changes ({@code LISTEN/NOTIFY},
 *     docs/fleet.md, "Propagation") instead of relying on the {@code catalogueRefresh} poll alone
 * @param applicationName PostgreSQL {@code application_name} of this registry's connections (the
 *     listening connection adds {@code /listen}); shows which node holds which connection
 * @param node the node that writes through this registry, stamped on every audit record it appends
 *     (empty: none; a single gateway)
 * @param region that node's region, stamped likewise (empty: none)
 */
public record RegistryConfig(
        Path dataDir,
        String jdbcUrl,
        Optional<String> user,
        Optional<String> password,
        int maxConnections,
        Duration connectionTimeout,
        Duration adminTimeout,
        int auditQueueCapacity,
        int auditBatchSize,
        Duration auditEnqueueTimeout,
        Duration auditCloseTimeout,
        long auditSpoolMaxBytes,
        Duration tokenCacheTtl,
        Duration catalogueRefresh,
        boolean notifications,
        String applicationName,
        String node,
        String region) {

    /** Default largest audit spool: 64 MiB (about 130,000 call records). */
    public static final long DEFAULT_AUDIT_SPOOL_MAX_BYTES = 64L << 20;

    /** Largest audit spool allowed (the writer reads the spool into memory to drain it). */
    public static final long MAX_AUDIT_SPOOL_BYTES = 256L << 20;

    /**
     * H2 options of the default URL: wait for row locks up to 10 s; the registry closes the
     * database itself. No {@code WRITE_DELAY}: the registry sets it and makes every commit durable
     * itself, call records through the audit journal (docs/registry.md, "Durability").
     */
    public static final String H2_OPTIONS = ";LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE";

    /** Rejects nulls. */
    public RegistryConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(adminTimeout, "adminTimeout");
        Objects.requireNonNull(auditEnqueueTimeout, "auditEnqueueTimeout");
        Objects.requireNonNull(auditCloseTimeout, "auditCloseTimeout");
        Objects.requireNonNull(tokenCacheTtl, "tokenCacheTtl");
        Objects.requireNonNull(catalogueRefresh, "catalogueRefresh");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(region, "region");
    }

    /**
     * The default embedded database of a data directory.
     *
     * @param dataDir the data directory
     * @return {@code jdbc:h2:file:<absolute dataDir>/registry} with {@link #H2_OPTIONS}
     */
    public static String defaultJdbcUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("registry") + H2_OPTIONS;
    }

    /** The JDBC URL with any password parameter masked, for messages and logs. */
    public String redactedUrl() {
        return jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    /** Like the record's, with the password and any password in the URL masked. */
    @Override
    public String toString() {
        return "RegistryConfig[dataDir=" + dataDir + ", jdbcUrl=" + redactedUrl() + ", user=" + user
                + ", password=" + password.map(p -> "***") + ", maxConnections=" + maxConnections
                + ", connectionTimeout=" + connectionTimeout + ", adminTimeout=" + adminTimeout
                + ", auditQueueCapacity=" + auditQueueCapacity
                + ", auditBatchSize=" + auditBatchSize + ", auditEnqueueTimeout=" + auditEnqueueTimeout
                + ", auditCloseTimeout=" + auditCloseTimeout + ", auditSpoolMaxBytes=" + auditSpoolMaxBytes
                + ", tokenCacheTtl=" + tokenCacheTtl
                + ", catalogueRefresh=" + catalogueRefresh + ", notifications=" + notifications
                + ", applicationName=" + applicationName + ", node=" + node + ", region=" + region + "]";
    }

    /** A builder with every default set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RegistryConfig}. */
    public static final class Builder {
        private Path dataDir = Path.of("data");
        private Optional<String> jdbcUrl = Optional.empty();
        private Optional<String> user = Optional.empty();
        private Optional<String> password = Optional.empty();
        private int maxConnections = 8;
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration adminTimeout = Duration.ofSeconds(2);
        private int auditQueueCapacity = 65_536;
        private int auditBatchSize = 1_000;
        private Duration auditEnqueueTimeout = Duration.ofSeconds(5);
        private Duration auditCloseTimeout = Duration.ofSeconds(30);
        private long auditSpoolMaxBytes = DEFAULT_AUDIT_SPOOL_MAX_BYTES;
        private Duration tokenCacheTtl = Duration.ofSeconds(5);
        private Duration catalogueRefresh = Duration.ofSeconds(1);
        private boolean notifications = true;
        private String applicationName = "atoll";

        private Builder() {}

        /**
         * The data directory; the default database is {@code <dataDir>/registry.mv.db}.
         *
         * @param dataDir default {@code ./data}
         * @return this builder
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /**
         * The JDBC URL; overrides the default H2 file database under the data directory.
         *
         * @param jdbcUrl {@code jdbc:h2:...} or {@code jdbc:postgresql://...}
         * @return this builder
         */
        public Builder jdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl must start with jdbc:h2: or jdbc:postgresql:, got '"
                        + jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***") + "'");
            }
            this.jdbcUrl = Optional.of(jdbcUrl);
            return this;
        }

        /**
         * The database user.
         *
         * @param user a non-empty user name
         * @return this builder
         */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            if (user.isEmpty()) {
                throw new IllegalArgumentException("user must not be empty");
            }
            this.user = Optional.of(user);
            return this;
        }

        /**
         * The database password.
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Optional.of(Objects.requireNonNull(password, "password"));
            return this;
        }

        /**
         * Connection pool size.
         *
         * @param n 2-256, default 8 (the audit writer holds one while it writes)
         * @return this builder
         */
        public Builder maxConnections(int n) {
            if (n < 2 || n > 256) {
                throw new IllegalArgumentException("maxConnections must be 2-256, got " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /**
         * How long to wait for a pooled connection.
         *
         * @param d 250 ms - 10 min, default 10 s
         * @return this builder
         */
        public Builder connectionTimeout(Duration d) {
            this.connectionTimeout = within("connectionTimeout", d, Duration.ofMillis(250), Duration.ofMinutes(10));
            return this;
        }

        /**
         * How long an operator's change (deploy, approve, reject, rollback, disable, enable, delete,
         * placement, token create and revoke, upstream add, approve and remove) waits for a pooled
         * connection before it fails with {@code STORAGE}: the first change that meets a database
         * outage fails after this, not after the whole {@link #connectionTimeout(Duration)}
         * (docs/fleet.md, "Database outage"). At most the connection timeout is used.
         *
         * @param d 100 ms - 10 min, default 2 s
         * @return this builder
         */
        public Builder adminTimeout(Duration d) {
            this.adminTimeout = within("adminTimeout", d, Duration.ofMillis(100), Duration.ofMinutes(10));
            return this;
        }

        /**
         * Call records that may wait for the audit writer; when full, {@code recordCall} waits.
         *
         * @param n 1-2^24, default 65 536
         * @return this builder
         */
        public Builder auditQueueCapacity(int n) {
            if (n < 1 || n > (1 << 24)) {
                throw new IllegalArgumentException("auditQueueCapacity must be 1-16777216, got " + n);
            }
            this.auditQueueCapacity = n;
            return this;
        }

        /**
         * Most call records written in one transaction (group commit).
         *
         * @param n 1-100 000, default 1 000
         * @return this builder
         */
        public Builder auditBatchSize(int n) {
            if (n < 1 || n > 100_000) {
                throw new IllegalArgumentException("auditBatchSize must be 1-100000, got " + n);
            }
            this.auditBatchSize = n;
            return this;
        }

        /**
         * How long {@code recordCall} waits for queue space before it throws
         * {@link RegistryException.Reason#UNAVAILABLE} (records are never dropped silently).
         *
         * @param d 0 - 10 min, default 5 s
         * @return this builder
         */
        public Builder auditEnqueueTimeout(Duration d) {
            this.auditEnqueueTimeout = within("auditEnqueueTimeout", d, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /**
         * How long {@code close()} keeps trying to write queued records when the database fails.
         *
         * @param d 0 - 1 h, default 30 s
         * @return this builder
         */
        public Builder auditCloseTimeout(Duration d) {
            this.auditCloseTimeout = within("auditCloseTimeout", d, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * The largest size of the audit spool: while the database does not take call records they
         * are appended there (fsync'd) and the calls are answered; when the spool is full, calls
         * are refused (docs/fleet.md, "Database outage").
         *
         * @param bytes 0 (no spool) - 256 MiB, default 64 MiB
         * @return this builder
         */
        public Builder auditSpoolMaxBytes(long bytes) {
            if (bytes < 0 || bytes > MAX_AUDIT_SPOOL_BYTES) {
                throw new IllegalArgumentException(
                        "auditSpoolMaxBytes must be 0-" + MAX_AUDIT_SPOOL_BYTES + ", got " + bytes);
            }
            this.auditSpoolMaxBytes = bytes;
            return this;
        }

        /**
         * How long an authenticated token stays cached; a revocation on another node takes effect
         * within this time (at once on this node).
         *
         * @param d 0 (no cache) - 10 min, default 5 s
         * @return this builder
         */
        public Builder tokenCacheTtl(Duration d) {
            this.tokenCacheTtl = within("tokenCacheTtl", d, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /**
         * How often the serving catalogue is compared with the database's revision (changes made
         * by other nodes sharing the database); changes made through this registry are seen at once.
         *
         * @param d 0 (every read) - 10 min, default 1 s
         * @return this builder
         */
        public Builder catalogueRefresh(Duration d) {
            this.catalogueRefresh = within("catalogueRefresh", d, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /**
         * Whether a PostgreSQL registry listens for other nodes' changes ({@code LISTEN/NOTIFY}):
         * they take effect in milliseconds, with the {@link #catalogueRefresh} poll and the
         * {@link #tokenCacheTtl} as the bound when a notification is lost. Off: the poll alone
         * (benchmarks). No effect on H2 (one node).
         *
         * @param on default true
         * @return this builder
         */
        public Builder notifications(boolean on) {
            this.notifications = on;
            return this;
        }

        /**
         * PostgreSQL {@code application_name} of the registry's connections (the listening
         * connection adds {@code /listen}), so {@code pg_stat_activity} shows which node holds which.
         *
         * @param name 1-48 printable ASCII characters, default {@code atoll}
         * @return this builder
         */
        public Builder applicationName(String name) {
            Objects.requireNonNull(name, "applicationName");
            if (name.isEmpty() || name.length() > 48 || !name.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
                throw new IllegalArgumentException("applicationName must be 1-48 printable ASCII characters without"
                        + " spaces, got '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            this.applicationName = name;
            return this;
        }

        /**
         * The node writing through this registry, stamped (with its region) on every audit record it
         * appends, and covered by the record's hash.
         *
         * @param id the node id: 1-64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit
         * @param nodeRegion its region: 1-32 of {@code a-z 0-9 -}, starting with a letter
         * @return this builder
         */
        public Builder node(String id, String nodeRegion) {
            if (id == null || !NODE.matcher(id).matches()) {
                throw new IllegalArgumentException("node must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or"
                        + " digit, got '" + id + "'");
            }
            if (nodeRegion == null || !REGION.matcher(nodeRegion).matches()) {
                throw new IllegalArgumentException(
                        "region must be 1-32 of a-z 0-9 - starting with a letter, got '" + nodeRegion + "'");
            }
            this.node = id;
            this.region = nodeRegion;
            return this;
        }

        private static final java.util.regex.Pattern NODE =
                java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");
        private String node = "";
        private String region = "";

        /** The configuration. */
        public RegistryConfig build() {
            return new RegistryConfig(
                    dataDir,
                    jdbcUrl.orElseGet(() -> defaultJdbcUrl(dataDir)),
                    user,
                    password,
                    maxConnections,
                    connectionTimeout,
                    adminTimeout,
                    auditQueueCapacity,
                    auditBatchSize,
                    auditEnqueueTimeout,
                    auditCloseTimeout,
                    auditSpoolMaxBytes,
                    tokenCacheTtl,
                    catalogueRefresh,
                    notifications,
                    applicationName,
                    node,
                    region);
        }

        private static Duration within(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be " + min + " - " + max + ", got " + d);
            }
            return d;
        }
    }
}
