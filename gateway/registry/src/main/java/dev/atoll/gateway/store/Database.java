package dev.atoll.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The connection pool and schema of the registry database, plus the one way to run a transaction.
 *
 * <p>Schema migrations are Flyway SQL migrations under {@code db/atoll-registry} (a resource folder
 * whose name is not a Java package, so it is readable from this named module); Flyway's own
 * database lock makes concurrent starts of several nodes on one PostgreSQL database safe.
 */
public final class Database implements AutoCloseable {

    /** Flyway location of the migrations. */
    public static final String MIGRATIONS = "classpath:db/atoll-registry";

    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    private final HikariDataSource pool;
    private final boolean postgres;
    private final RegistryConfig config;
    private final String node;
    private final String region;
    /** H2 file database whose commits reach the file by a CHECKPOINT (see {@link #journaled()}). */
    private final boolean journaled;
    /** Why the database is known to be unreachable; empty while it is not (the circuit is closed). */
    private final java.util.concurrent.atomic.AtomicReference<String> unreachable =
            new java.util.concurrent.atomic.AtomicReference<>("");

    private Database(HikariDataSource pool, RegistryConfig config) {
        this.pool = pool;
        this.node = config.node();
        this.region = config.region();
        this.postgres = pool.getJdbcUrl().startsWith("jdbc:postgresql:");
        this.journaled = journaled(config.jdbcUrl());
        this.config = config;
    }

    /**
     * Opens the pool and migrates the schema to the newest version.
     *
     * @param config where the database is
     * @return the open database
     */
    public static Database open(RegistryConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(durableUrl(config.jdbcUrl()));
        config.user().ifPresent(hc::setUsername);
        config.password().ifPresent(hc::setPassword);
        hc.setMaximumPoolSize(config.maxConnections());
        hc.setMinimumIdle(1);
        hc.setPoolName("atoll-registry");
        hc.setAutoCommit(false);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.setConnectionTimeout(Math.max(250, config.connectionTimeout().toMillis()));
        if (config.jdbcUrl().startsWith("jdbc:postgresql:")) {
            // A commit (an answered call's audit record) must wait for the WAL flush; a database,
            // role or URL default of synchronous_commit=off would let the last ones vanish when the
            // server crashes. Stronger settings (remote_write, remote_apply) are kept.
            hc.setConnectionInitSql(SYNCHRONOUS_COMMIT_ON);
            hc.setIsolateInternalQueries(true); // commit the init SQL (auto-commit is off), or a rollback undoes it
            hc.addDataSourceProperty("ApplicationName", config.applicationName());
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw RegistryException.storage("cannot open the registry database " + config.redactedUrl(), e);
        }
        try {
            Flyway.configure(Database.class.getClassLoader())
                    .dataSource(ds)
                    .locations(MIGRATIONS)
                    .table("atoll_schema_history")
                    .baselineOnMigrate(false)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            ds.close();
            throw RegistryException.storage("cannot migrate the registry schema: " + e.getMessage(), e);
        }
        Database db = new Database(ds, config);
        if (db.postgres) {
            db.warnIfNotDurable();
        }
        try {
            db.checkpoint(); // the migrations, on H2
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return db;
    }

    /** Run on every new PostgreSQL connection: synchronous_commit off becomes on, for this session. */
    static final String SYNCHRONOUS_COMMIT_ON = "SELECT set_config('synchronous_commit', 'on', false)"
            + " WHERE current_setting('synchronous_commit') = 'off'";

    /**
     * Logs what PostgreSQL settings weaken "committed means on disk" (docs/registry.md,
     * "Durability"): {@code fsync} off (the server's choice; nothing a session can change) and a
     * {@code synchronous_commit = off} default (which the registry overrides for its sessions).
     */
    private void warnIfNotDurable() {
        try {
            Map<String, String> settings = read("reading the durability settings", c -> {
                Map<String, String> rows = new LinkedHashMap<>();
                try (var st = c.createStatement();
                        var rs = st.executeQuery(
                                "SELECT name, reset_val FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')")) {
                    while (rs.next()) {
                        rows.put(rs.getString(1), rs.getString(2));
                    }
                }
                return rows;
            });
            settings.forEach((name, value) -> {
                if (name.equals("fsync") && value.equals("off")) {
                    LOG.log(
                            Level.WARNING,
                            "PostgreSQL runs with fsync = off: committed audit"
                                    + " records (answered calls) can be lost if the database server or its machine"
                                    + " crashes");
                } else if (name.equals("synchronous_commit") && value.equals("off")) {
                    LOG.log(
                            Level.INFO,
                            "PostgreSQL's synchronous_commit default is off here;"
                                    + " the registry's sessions set it to on (an answered call's record is flushed)");
                }
            });
        } catch (RegistryException e) {
            LOG.log(Level.WARNING, "cannot read PostgreSQL's durability settings", e);
        }
    }

    /**
     * H2's write delay for a {@linkplain #journaled() journaled} file database: how long H2's own
     * background writer may leave commits unwritten. Every commit that must be on disk when it
     * returns is written by a {@code CHECKPOINT} instead (or journaled), so this only bounds how
     * much the background writer batches.
     */
    static final int JOURNALED_WRITE_DELAY_MS = 500;

    /**
     * The URL with H2's {@code WRITE_DELAY} added when an H2 URL does not set it. For a file
     * database ({@code jdbc:h2:file:}) it is {@link #JOURNALED_WRITE_DELAY_MS}: each committed
     * transaction is then written to the file by a {@code CHECKPOINT} before it returns, except
     * the call records' transactions, whose records the audit journal holds instead
     * ({@link #journaled()}). Other H2 URLs get {@code WRITE_DELAY=0}: each commit is written to
     * the file before it returns. Either way a committed change survives a crash of the process
     * (docs/registry.md, "Durability"). An explicit {@code WRITE_DELAY} in the URL is the
     * operator's choice and is kept.
     */
    static String durableUrl(String url) {
        if (url.startsWith("jdbc:h2:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url + ";WRITE_DELAY=" + (journaled(url) ? JOURNALED_WRITE_DELAY_MS : 0);
        }
        return url;
    }

    /** An H2 file database whose write delay the registry sets (the URL does not). */
    static boolean journaled(String url) {
        return url.startsWith("jdbc:h2:file:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=");
    }

    /**
     * Whether a commit of {@link #inJournaledTransaction} is in memory only until the next
     * {@link #checkpoint()}: true for an H2 file database whose URL does not set
     * {@code WRITE_DELAY} (the default, embedded registry). Its writer must then keep what it
     * committed in a journal of its own until a checkpoint has written it to the file.
     *
     * @return true when journaled transactions need a journal
     */
    public boolean journaled() {
        return journaled;
    }

    /**
     * Writes every committed transaction to the database file ({@code CHECKPOINT}) on a
     * {@linkplain #journaled() journaled} H2 database; does nothing otherwise, where each commit
     * is on disk when it returns.
     *
     * @throws RegistryException {@code STORAGE} if the file cannot be written
     */
    public void checkpoint() {
        if (!journaled) {
            return;
        }
        try (Connection c = pool.getConnection();
                java.sql.Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw RegistryException.storage("writing the registry database file failed: " + safeMessage(e), e);
        }
    }

    /**
     * A new connection outside the pool, in auto-commit mode, for a long-lived session such as the
     * fleet's {@code LISTEN} (docs/fleet.md, "Propagation"). Its {@code application_name} is the
     * registry's with {@code suffix} appended. The caller closes it.
     *
     * @param suffix appended to the application name, e.g. {@code /listen}
     * @return the connection
     * @throws SQLException if the database cannot be reached
     */
    public Connection dedicatedConnection(String suffix) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        config.user().ifPresent(u -> p.setProperty("user", u));
        config.password().ifPresent(pw -> p.setProperty("password", pw));
        if (postgres) {
            p.setProperty("ApplicationName", config.applicationName() + suffix);
            long seconds = Math.max(1, (config.connectionTimeout().toMillis() + 999) / 1000);
            p.setProperty("connectTimeout", Long.toString(seconds));
            p.setProperty("tcpKeepAlive", "true");
        }
        Connection c = java.sql.DriverManager.getConnection(durableUrl(config.jdbcUrl()), p);
        c.setAutoCommit(true);
        return c;
    }

    /** The node that writes through this database handle (audit records carry it), or empty. */
    public String node() {
        return node;
    }

    /** The region of {@link #node()}, or empty. */
    public String region() {
        return region;
    }

    /** True when the database is PostgreSQL (H2 otherwise). */
    public boolean isPostgres() {
        return postgres;
    }

    /** The work of one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * Runs inside the transaction.
         *
         * @param c the connection, auto-commit off
         * @return the result, never null (work without one is an {@link Update})
         * @throws SQLException to roll back
         */
        T run(Connection c) throws SQLException;
    }

    /**
     * The work of one transaction that has no result (a write): {@link #update(String, Update)}.
     * A {@link Work} must return a result, never null.
     */
    @FunctionalInterface
    public interface Update {
        /**
         * Runs inside the transaction.
         *
         * @param c the connection, auto-commit off
         * @throws SQLException to roll back
         */
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: commit if it returns, roll back if it throws. A unique
     * violation or a serialisation failure (two nodes creating the same row at once) is retried a
     * few times; {@link RegistryException}s pass through after the rollback.
     *
     * @param what what the work does, for error messages
     * @param work the work
     * @param <T> its result
     * @return the work's result
     */
    public <T> T inTransaction(String what, Work<T> work) {
        return inTransaction(what, work, false, true);
    }

    /**
     * {@link #inTransaction(String, Work)} whose commit, on a {@linkplain #journaled() journaled}
     * database, is in memory only until the next {@link #checkpoint()}: for the audit call writer,
     * which journals the records it committed (docs/registry.md, "Durability"). Elsewhere the
     * same as {@link #inTransaction(String, Work)}.
     *
     * @param what what the work does, for error messages
     * @param work the work
     * @param <T> its result
     * @return the work's result
     */
    public <T> T inJournaledTransaction(String what, Work<T> work) {
        return inTransaction(what, work, false, false);
    }

    /**
     * {@link #inTransaction(String, Work)} for an operator's change (an admin mutation): it waits at
     * most {@link RegistryConfig#adminTimeout()} for a connection, not the pool's whole connection
     * timeout, so the first change that meets a database outage fails fast ({@code STORAGE}, HTTP
     * 503) and opens the circuit for those that follow (docs/fleet.md, "Database outage").
     *
     * @param what what the work does, for error messages
     * @param work the work
     * @param <T> its result
     * @return the work's result
     */
    public <T> T inAdminTransaction(String what, Work<T> work) {
        return inTransaction(what, work, true, true);
    }

    /**
     * {@link #inTransaction(String, Work)} for work without a result.
     *
     * @param what what the work does, for error messages
     * @param work the work
     */
    public void update(String what, Update work) {
        inTransaction(what, done(work), false, true);
    }

    /**
     * {@link #inAdminTransaction(String, Work)} for work without a result.
     *
     * @param what what the work does, for error messages
     * @param work the work
     */
    public void adminUpdate(String what, Update work) {
        inTransaction(what, done(work), true, true);
    }

    /** The update as a {@link Work} whose result (never null) nobody reads. */
    private static Work<Boolean> done(Update work) {
        return c -> {
            work.run(c);
            return Boolean.TRUE;
        };
    }

    /**
     * One transaction; with {@code durable} on a journaled database, the commit is written to the
     * file ({@code CHECKPOINT}, on the same connection) before this returns.
     */
    private <T> T inTransaction(String what, Work<T> work, boolean admin, boolean durable) {
        java.util.Optional<String> down = unreachable();
        if (down.isPresent()) {
            throw new RegistryException(
                    RegistryException.Reason.STORAGE,
                    what + " failed: the registry database is unreachable (" + down.get()
                            + "); retrying in the background");
        }
        SQLException last = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            try (Connection c = admin ? adminConnection() : pool.getConnection()) {
                try {
                    T result = work.run(c);
                    c.commit();
                    if (durable && journaled) {
                        try (java.sql.Statement st = c.createStatement()) {
                            st.execute("CHECKPOINT");
                        } catch (SQLException e) {
                            // Committed, but not written to the file: a later checkpoint may still
                            // write it; the caller must not take it as stored.
                            throw RegistryException.storage(
                                    what + " failed: writing the registry database file failed: " + safeMessage(e), e);
                        }
                    }
                    return result;
                } catch (SQLException e) {
                    rollback(c);
                    if (!retryable(e)) {
                        if (connectionLost(e)) {
                            trip(safeMessage(e));
                            throw RegistryException.storage(
                                    what + " failed: the registry database is unreachable (" + safeMessage(e)
                                            + "); retrying in the background",
                                    e);
                        }
                        throw RegistryException.storage(what + " failed: " + safeMessage(e), e);
                    }
                    last = e;
                } catch (RuntimeException | Error e) {
                    rollback(c);
                    throw e;
                }
            } catch (SQLException e) {
                // A short admin wait that ran out without a connection failure may be a busy pool,
                // not an outage: it fails this change but does not open the circuit for all.
                boolean lost = connectionLost(e);
                if (!admin || lost) {
                    trip(safeMessage(e));
                }
                throw RegistryException.storage(
                        what + " failed: "
                                + (lost
                                        ? "the registry database is unreachable (" + safeMessage(e)
                                                + "); retrying in the background"
                                        : "no database connection (" + safeMessage(e) + ")"),
                        e);
            }
            sleepBackoff(attempt);
        }
        // Every attempt that neither returned nor threw set it.
        SQLException failed = java.util.Objects.requireNonNull(last, "last");
        throw RegistryException.storage(what + " failed after retries: " + safeMessage(failed), failed);
    }

    /**
     * A pooled connection, waiting at most the admin timeout. HikariCP's pool (the data source's
     * {@code HikariPoolMXBean}, exported API) takes a per-call timeout; the data source does not.
     */
    private Connection adminConnection() throws SQLException {
        long ms = config.adminTimeout().toMillis();
        if (ms < config.connectionTimeout().toMillis() && pool.getHikariPoolMXBean() instanceof HikariPool p) {
            return p.getConnection(ms);
        }
        return pool.getConnection();
    }

    /**
     * A read-only piece of work (committed, so locks are released at once).
     *
     * @param what what the work reads
     * @param work the work
     * @param <T> its result
     * @return the result
     */
    public <T> T read(String what, Work<T> work) {
        return inTransaction(what, work, false, false); // nothing to write
    }

    /**
     * Why the database is known to be unreachable now: a connection could not be had or broke,
     * and the background check has not reached it since. While this is present every transaction
     * fails at once ({@code STORAGE}) instead of waiting for the connection timeout.
     *
     * @return the last connection failure, empty while the database is reachable
     */
    public java.util.Optional<String> unreachable() {
        // AtomicReference.get() is null only before a set; this one starts at "" and is set non-null.
        return java.util.Optional.ofNullable(unreachable.get()).filter(d -> !d.isEmpty());
    }

    /** Opens the circuit and starts the background check that closes it once a connection works. */
    private void trip(String why) {
        if (pool.isClosed() || !unreachable.compareAndSet("", why)) {
            return;
        }
        LOG.log(
                Level.WARNING,
                "the registry database is unreachable (" + why + "); registry"
                        + " operations fail at once until a background check reaches it");
        Thread.ofVirtual().name("atoll-registry-probe").start(() -> {
            long backoffMs = 100;
            while (!pool.isClosed()) {
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                try (Connection c = pool.getConnection()) {
                    if (c.isValid(5)) {
                        unreachable.set("");
                        LOG.log(Level.INFO, "the registry database is reachable again");
                        return;
                    }
                } catch (SQLException | RuntimeException e) {
                    unreachable.set(safeMessage(e instanceof SQLException s ? s : new SQLException(e)));
                }
                backoffMs = Math.min(backoffMs * 2, 2000);
            }
        });
    }

    /** A connection-level failure (SQLState class 08): the server is gone or the link broke. */
    private static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static boolean retryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 23505 unique violation (insert race), 40001 serialisation failure, 40P01 deadlock,
                // HYT00 lock timeout (H2).
                if (state.equals("23505") || state.startsWith("40") || state.equals("HYT00")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the transaction is gone with it
        }
    }

    private static void sleepBackoff(int attempt) {
        try {
            Thread.sleep(Duration.ofMillis(5L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.storage("interrupted while retrying a transaction", e);
        }
    }

    /** SQL messages can quote values; keep them short and on one line. */
    static String safeMessage(SQLException e) {
        if (e == null) {
            return "unknown error";
        }
        String m = String.valueOf(e.getMessage()).replaceAll("[\\p{Cntrl}]", " ");
        return (m.length() > 300 ? m.substring(0, 300) + "..." : m) + " [SQLState " + e.getSQLState() + "]";
    }

    @Override
    public void close() {
        pool.close();
    }
}
