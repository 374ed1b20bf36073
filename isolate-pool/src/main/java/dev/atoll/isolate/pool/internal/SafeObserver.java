package dev.atoll.isolate.pool.internal;

import dev.atoll.isolate.pool.ContextStart;
import dev.atoll.isolate.pool.EvictionReason;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.isolate.pool.ShedReason;
import dev.atoll.runtime.Tool;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Forwards to the configured observer; an observer that throws is logged, never propagated. */
final class SafeObserver implements PoolObserver {
    private static final Logger LOG = Logger.getLogger(SafeObserver.class.getName());
    private final PoolObserver delegate;

    SafeObserver(PoolObserver delegate) {
        this.delegate = delegate;
    }

    private void failed(RuntimeException e) {
        LOG.log(Level.WARNING, "a pool observer threw; ignored", e);
    }

    @Override
    public void warmHit(Tool tool) {
        try {
            delegate.warmHit(tool);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void coldStart(Tool tool) {
        try {
            delegate.coldStart(tool);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void contextCreated(Tool tool, Duration elapsed) {
        try {
            delegate.contextCreated(tool, elapsed);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void creationFailed(Tool tool, Duration elapsed) {
        try {
            delegate.creationFailed(tool, elapsed);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void callServed(Tool tool, ContextStart start, Duration elapsed) {
        try {
            delegate.callServed(tool, start, elapsed);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void queueWait(Tool tool, Duration waited) {
        try {
            delegate.queueWait(tool, waited);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void loadShed(Tool tool, ShedReason reason) {
        try {
            delegate.loadShed(tool, reason);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void evicted(Tool tool, EvictionReason reason) {
        try {
            delegate.evicted(tool, reason);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void poolSize(Tool tool, int warm, int target) {
        try {
            delegate.poolSize(tool, warm, target);
        } catch (RuntimeException e) {
            failed(e);
        }
    }
}
