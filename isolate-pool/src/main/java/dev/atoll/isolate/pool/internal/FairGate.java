package dev.atoll.isolate.pool.internal;

import dev.atoll.isolate.pool.ShedReason;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fair admission to the node's guest threads. Each call belongs to a tool version and a tenant; each
 * may hold a share of the {@code capacity} slots ({@code toolCap}, {@code tenantCap}). A call within
 * both shares starts whenever a slot is free. A call beyond either share (a busy tool, a busy tenant)
 * starts only while more than {@code reserve} slots are free: the last {@code reserve} slots are kept
 * for calls within their shares, so one tool or tenant cannot fill the node, whatever its calls do.
 * A call of a tool on probation (one that recently ran past its CPU or memory limit) is treated as
 * beyond its share: it never takes the reserve.
 *
 * <p>Calls that cannot start wait up to their deadline; a released slot goes to the oldest waiter
 * that may take it, so an over-share waiter never holds back a within-share call behind it. Waiting
 * calls are bounded per tool ({@code toolQueueCap}) and in total ({@code queueCap}); beyond them a
 * call is shed at once.
 */
final class FairGate {

    private final int capacity;
    private final int toolCap;
    private final int tenantCap;
    private final int reserve;
    private final int toolQueueCap;
    private final int queueCap;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Object, int[]> tools = new HashMap<>();
    private final Map<String, int[]> tenants = new HashMap<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int inUse;

    /**
     * @param capacity slots (guest threads)
     * @param toolShare share of the slots one tool version may hold within its share
     * @param tenantShare share of the slots one tenant may hold within its share
     * @param reserveShare share of the slots that over-share calls may not take
     * @param queueCap most calls waiting in total
     */
    FairGate(int capacity, double toolShare, double tenantShare, double reserveShare, int queueCap) {
        this.capacity = capacity;
        this.toolCap = Math.max(1, (int) Math.floor(toolShare * capacity));
        this.tenantCap = Math.max(1, (int) Math.floor(tenantShare * capacity));
        this.reserve = Math.min(capacity - 1, (int) Math.floor(reserveShare * capacity));
        this.queueCap = queueCap;
        this.toolQueueCap = Math.max(1, (int) Math.ceil(toolShare * queueCap));
    }

    /** A slot held by one call; release it exactly once. */
    record Ticket(Object tool, String tenant) {}

    private static final class Waiter {
        final Object tool;
        final String tenant;
        final boolean probation;
        final Condition admitted;
        boolean done;

        Waiter(Object tool, String tenant, boolean probation, Condition admitted) {
            this.tool = tool;
            this.tenant = tenant;
            this.probation = probation;
            this.admitted = admitted;
        }
    }

    /** Slots per tool, per tenant, in use and reserve: for tests and stats. */
    int capacity() {
        return capacity;
    }

    int toolCap() {
        return toolCap;
    }

    int tenantCap() {
        return tenantCap;
    }

    int reserve() {
        return reserve;
    }

    /**
     * Takes a slot for a call of {@code tool} by {@code tenant}, waiting until {@code deadlineNanos}.
     *
     * @param tool the tool version's key
     * @param tenant the tenant
     * @param deadlineNanos {@link System#nanoTime()} deadline for waiting
     * @return the ticket, or why the call is shed
     * @throws InterruptedException if interrupted while waiting
     */
    Admission acquire(Object tool, String tenant, long deadlineNanos) throws InterruptedException {
        return acquire(tool, tenant, false, deadlineNanos);
    }

    /**
     * Takes a slot for a call of {@code tool} by {@code tenant}, waiting until {@code deadlineNanos}.
     *
     * @param tool the tool version's key
     * @param tenant the tenant
     * @param probation whether the tool is on probation (then the call never takes the reserve)
     * @param deadlineNanos {@link System#nanoTime()} deadline for waiting
     * @return the ticket, or why the call is shed
     * @throws InterruptedException if interrupted while waiting
     */
    Admission acquire(Object tool, String tenant, boolean probation, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            if (canStart(tool, tenant, probation)) {
                take(tool, tenant);
                return new Admission(Optional.of(new Ticket(tool, tenant)), Optional.empty(), false);
            }
            if (waiters.size() >= queueCap) {
                return shed(ShedReason.QUEUE_FULL);
            }
            int[] t = tools.computeIfAbsent(tool, k -> new int[2]);
            if (t[1] >= toolQueueCap) {
                forget(tool, t);
                return shed(ShedReason.TOOL_SHARE);
            }
            t[1]++;
            Waiter w = new Waiter(tool, tenant, probation, lock.newCondition());
            waiters.addLast(w);
            try {
                while (!w.done) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        waiters.remove(w);
                        return shed(whyWaitedOut(tool, tenant, probation));
                    }
                    w.admitted.awaitNanos(left);
                }
                return new Admission(Optional.of(new Ticket(tool, tenant)), Optional.empty(), true);
            } catch (InterruptedException e) {
                if (w.done) {
                    release(new Ticket(tool, tenant)); // admitted just as it was interrupted
                } else {
                    waiters.remove(w);
                }
                throw e;
            } finally {
                int[] now = tools.get(tool);
                now[1]--;
                forget(tool, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back and hands free slots to the waiters that may take them, oldest first. */
    void release(Ticket ticket) {
        lock.lock();
        try {
            inUse--;
            // A ticket's tool and tenant hold a slot, so both are counted until released here.
            int[] t = java.util.Objects.requireNonNull(tools.get(ticket.tool()), "tool without a count");
            t[0]--;
            forget(ticket.tool(), t);
            int[] n = java.util.Objects.requireNonNull(tenants.get(ticket.tenant()), "tenant without a count");
            if (--n[0] == 0) {
                tenants.remove(ticket.tenant());
            }
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && inUse < capacity; ) {
                Waiter w = it.next();
                if (canStart(w.tool, w.tenant, w.probation)) {
                    it.remove();
                    take(w.tool, w.tenant);
                    w.done = true;
                    w.admitted.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Calls waiting now. */
    int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private boolean canStart(Object tool, String tenant, boolean probation) {
        int free = capacity - inUse;
        if (free <= 0) {
            return false;
        }
        return (!probation && withinShare(tool, tenant)) || free > reserve;
    }

    private boolean withinShare(Object tool, String tenant) {
        int[] t = tools.get(tool);
        int[] n = tenants.get(tenant);
        return (t == null || t[0] < toolCap) && (n == null || n[0] < tenantCap);
    }

    private ShedReason whyWaitedOut(Object tool, String tenant, boolean probation) {
        if (probation) {
            return ShedReason.TOOL_SHARE;
        }
        if (withinShare(tool, tenant)) {
            return ShedReason.GLOBAL_LIMIT;
        }
        int[] t = tools.get(tool);
        return t != null && t[0] >= toolCap ? ShedReason.TOOL_SHARE : ShedReason.TENANT_SHARE;
    }

    private void take(Object tool, String tenant) {
        inUse++;
        tools.computeIfAbsent(tool, k -> new int[2])[0]++;
        tenants.computeIfAbsent(tenant, k -> new int[1])[0]++;
    }

    private void forget(Object tool, int[] counts) {
        if (counts[0] == 0 && counts[1] == 0) {
            tools.remove(tool);
        }
    }

    private static Admission shed(ShedReason reason) {
        return new Admission(Optional.empty(), Optional.of(reason), false);
    }

    /**
     * What {@link #acquire} decided.
     *
     * @param ticket the slot, when admitted
     * @param shed why not, when shed
     * @param waited whether the call waited before it was admitted
     */
    record Admission(Optional<Ticket> ticket, Optional<ShedReason> shed, boolean waited) {}
}
