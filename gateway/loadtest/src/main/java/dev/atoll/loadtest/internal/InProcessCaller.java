package dev.atoll.loadtest.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.loadtest.LoadTestException;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import dev.atoll.runtime.WarmContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Calls a tool file in this process's runtime, a fresh context per call, on the calling (platform) thread.
 * Cold: the context is created and the module evaluated on the call path, and the phases are measured
 * (prepare from {@link WarmContext#preparationTime()}, call from the receipt's wall time, close as the rest).
 * Pooled: a background thread keeps up to {@code poolSize} contexts prepared, as the gateway's isolate pool
 * does, so a call finds one ready unless the pool ran dry (then it prepares its own: a cold start).
 */
public final class InProcessCaller implements Caller {

    private final ToolRuntime runtime;
    private final Tool tool;
    private final List<ObjectNode> arguments;
    private final Optional<BlockingQueue<WarmContext>> pool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder pooledHits = new LongAdder();
    private final LongAdder coldStarts = new LongAdder();
    /** Keeps the pool filled; null without a pool. */
    private final @Nullable Thread replenisher;

    /**
     * Loads the tool.
     *
     * @param file the tool file (.mjs/.js or .py)
     * @param arguments the argument sets
     * @param poolSize 0 for cold starts, else how many prepared contexts to keep
     * @throws LoadTestException if the file cannot be read or does not load
     */
    public InProcessCaller(Path file, List<ObjectNode> arguments, int poolSize) {
        ToolSource source;
        try {
            source = ToolSource.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new LoadTestException("cannot read the tool file " + file + ": " + e.getMessage(), e);
        }
        this.runtime = ToolRuntime.builder().build();
        try {
            this.tool = runtime.load(source);
        } catch (AtollRuntimeException e) { // InvalidToolException included
            runtime.close();
            throw new LoadTestException("the tool " + file + " does not load: " + e.getMessage(), e);
        }
        this.arguments = List.copyOf(arguments);
        if (poolSize > 0) {
            BlockingQueue<WarmContext> q = new ArrayBlockingQueue<>(poolSize);
            this.pool = Optional.of(q);
            this.replenisher = Thread.ofPlatform()
                    .daemon()
                    .name("atoll-loadtest-replenish")
                    .stackSize(4L << 20)
                    .start(() -> replenish(q));
        } else {
            this.pool = Optional.empty();
            this.replenisher = null;
        }
    }

    /** What the runtime says about itself (optimizing or not). */
    public String runtimeDescription() {
        return runtime.info().implementationName() + (runtime.info().optimizing() ? " (optimizing)" : " (interpreted)");
    }

    private void replenish(BlockingQueue<WarmContext> q) {
        while (!closed.get()) {
            WarmContext w = runtime.prepare(tool);
            try {
                while (!q.offer(w, 100, TimeUnit.MILLISECONDS)) {
                    if (closed.get()) {
                        w.close();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                w.close();
                return;
            }
        }
    }

    @Override
    public Result call(int argumentSet) {
        long start = System.nanoTime();
        WarmContext warm = pool.map(BlockingQueue::poll).orElse(null);
        long prepare;
        if (warm == null) {
            coldStarts.increment();
            warm = runtime.prepare(tool);
            prepare = warm.preparationTime().toNanos();
        } else {
            pooledHits.increment();
            prepare = 0;
        }
        CallResult r = runtime.callOnCurrentThread(warm, arguments.get(argumentSet));
        long total = System.nanoTime() - start;
        long call = r.receipt().wall().toNanos();
        return new Result(
                r.outcome().kind().wireName(), new Phases(prepare, call, Math.max(0, total - prepare - call)));
    }

    /** Calls that found a prepared context. */
    public long pooledHits() {
        return pooledHits.sum();
    }

    /** Calls that prepared their own context on the call path. */
    public long coldStarts() {
        return coldStarts.sum();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (replenisher != null) {
                replenisher.interrupt();
                try {
                    replenisher.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pool.ifPresent(q -> q.forEach(WarmContext::close));
            }
            runtime.close();
        }
    }
}
