package dev.atoll.gateway.registry.internal;

import dev.atoll.gateway.registry.Fleet;
import dev.atoll.gateway.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The thread that keeps a PostgreSQL node in step with the fleet (docs/fleet.md, "Propagation"):
 * it holds one dedicated connection that {@code LISTEN}s on {@link FleetChannel#CHANNEL} and acts
 * on each notification at once (reload the catalogue, drop a revoked token from the cache). Every
 * {@code catalogue-refresh} it also compares the catalogue revision (the fallback for a lost
 * notification) and checks that the connection still answers. When the connection fails it
 * reconnects with backoff (0.5 s doubling to 30 s) and then catches up: the revision is compared
 * and the whole token cache is dropped (a revocation may have been missed meanwhile).
 *
 * <p>With notifications off it only polls (the benchmark's baseline).
 */
final class FleetListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetListener.class.getName());
    private static final long BACKOFF_MIN_MS = 500;
    private static final long BACKOFF_MAX_MS = 30_000;

    private final Database db;
    private final long pollMs;
    private final boolean notifications;
    private final Runnable refresh;
    private final Consumer<FleetChannel.Change> tokens;
    private final Consumer<FleetChannel.Reviewed> reviews;
    private final Object lock = new Object();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final Thread thread;
    private volatile boolean listening;
    private volatile boolean closed;

    /**
     * @param db the database
     * @param poll how often the revision is compared regardless of notifications
     * @param notifications listen, or only poll
     * @param refresh compares the catalogue revision and reloads it if it moved
     * @param tokens acts on token changes
     * @param reviews told of versions deployed or rejected
     */
    FleetListener(
            Database db,
            Duration poll,
            boolean notifications,
            Runnable refresh,
            Consumer<FleetChannel.Change> tokens,
            Consumer<FleetChannel.Reviewed> reviews) {
        this.db = db;
        this.pollMs = Math.max(10, poll.toMillis());
        this.notifications = notifications;
        this.refresh = refresh;
        this.tokens = tokens;
        this.reviews = reviews;
        this.thread =
                Thread.ofPlatform().daemon(true).name("atoll-registry-listen").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    Fleet.Propagation status() {
        return new Fleet.Propagation(
                notifications ? Fleet.Mode.NOTIFY : Fleet.Mode.POLL,
                listening,
                received.get(),
                reconnects.get(),
                Duration.ofMillis(pollMs));
    }

    private void run() {
        long backoff = 0;
        while (!closed) {
            if (!notifications) {
                if (!pause(pollMs)) {
                    return;
                }
                refreshQuietly();
                continue;
            }
            boolean wasListening = false;
            try (Connection c = db.dedicatedConnection("/listen")) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + FleetChannel.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                listening = true;
                wasListening = true;
                if (backoff > 0) {
                    LOG.log(Level.INFO, "registry change notifications: listening again; catching up");
                }
                backoff = 0;
                // Catch up on whatever happened before this LISTEN: the revision, and any revocation.
                tokens.accept(new FleetChannel.TokensChanged());
                refreshQuietly();
                long nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pollMs);
                while (!closed) {
                    long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextPoll - System.nanoTime()));
                    // At most 500 ms per wait, so close() never waits long for the connection.
                    PGNotification[] got = pg.getNotifications((int) Math.min(500, waitMs));
                    if (got != null) {
                        for (PGNotification n : got) {
                            received.incrementAndGet();
                            dispatch(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - nextPoll >= 0) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SELECT 1"); // the connection still answers (a silent drop shows here)
                        }
                        refreshQuietly();
                        nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pollMs);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (wasListening || backoff == 0) {
                    LOG.log(
                            Level.WARNING,
                            "registry change notifications: the listening connection"
                                    + " failed (" + e.getMessage() + "); reconnecting, the "
                                    + Duration.ofMillis(pollMs) + " poll applies meanwhile");
                }
            } finally {
                listening = false;
            }
            if (closed) {
                return;
            }
            reconnects.incrementAndGet();
            backoff = backoff == 0 ? BACKOFF_MIN_MS : Math.min(BACKOFF_MAX_MS, backoff * 2);
            if (!pause(backoff)) {
                return;
            }
        }
    }

    private void dispatch(String payload) {
        FleetChannel.parse(payload)
                .ifPresentOrElse(
                        change -> {
                            switch (change) {
                                case FleetChannel.CatalogueMoved m -> refreshQuietly();
                                case FleetChannel.TokenRevoked t -> tokens.accept(t);
                                case FleetChannel.TokensChanged t -> tokens.accept(t);
                                case FleetChannel.TokenCreated t -> tokens.accept(t);
                                case FleetChannel.Reviewed r -> reviews.accept(r);
                            }
                        },
                        () -> LOG.log(Level.FINE, "ignored an unreadable registry notification"));
    }

    private void refreshQuietly() {
        try {
            refresh.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot refresh the catalogue", e);
        }
    }

    /** Waits {@code ms} unless closed meanwhile; false when closed. */
    private boolean pause(long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        synchronized (lock) {
            while (!closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                if (left <= 0) {
                    return true;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
