package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Run in a child JVM with a small heap by {@link HeapGuardTest}: several calls retain memory at once,
 * each within its own (deliberately huge) limits, so only the heap guard stands between them and an
 * OutOfMemoryError. Prints one outcome per line.
 */
public final class HeapGuardChild {
    private HeapGuardChild() {}

    public static void main(String[] args) {
        try {
            run(Integer.parseInt(args[0]), args.length > 1 && args[1].equals("python"));
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    private static void run(int calls, boolean python) throws Exception {
        Limits huge = new Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), 4L << 30, 1 << 20, 1 << 16, 100);
        try (ToolRuntime runtime = ToolRuntime.builder()
                .guestThreads(calls)
                .maxima(huge)
                .defaults(huge)
                .heapGuardRatio(0.6)
                .build()) {
            Tool hog = runtime.load(
                    python
                            ? PyTools.tool(
                                    "{'cpuMs': 60000, 'wallMs': 60000, 'memoryMb': 4096}",
                                    "keep = []\nwhile True:\n    keep.append([len(keep)] * 4096)")
                            : Tools.tool(
                                    "{ cpuMs: 60000, wallMs: 60000, memoryMb: 4096 }",
                                    "const keep = []; for (;;) keep.push(new Array(4096).fill(keep.length));"));
            ExecutorService callers = Executors.newFixedThreadPool(calls);
            List<CompletableFuture<CallResult>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                results.add(CompletableFuture.supplyAsync(
                        () -> runtime.call(hog, JsonNodeFactory.instance.objectNode()), callers));
            }
            for (var r : results) {
                System.out.println(r.get().outcome().kind().wireName());
            }
            CallResult after = runtime.call(
                    runtime.load(python ? PyTools.tool("return 'alive'") : Tools.tool("return 'alive';")),
                    JsonNodeFactory.instance.objectNode());
            System.out.println(after.outcome().kind().wireName());
            callers.shutdownNow();
        }
    }
}
