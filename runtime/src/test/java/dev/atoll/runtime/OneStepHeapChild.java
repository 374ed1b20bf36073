package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Child JVM of {@link OneStepHeapTest}: a runtime with the default configuration (guest threads,
 * maxima, string bound) runs one call per guest thread at once, each taking every one-step expansion
 * at its largest (memoryMb at the operator maximum), then a benign call. Prints one line per call:
 * outcome, allocated bytes and what each step did.
 */
public final class OneStepHeapChild {

    /** Each step alone allocates 0.5-5 GB without the bounds; all of them at the bound with them. */
    static final String WORST = """
            const out = [];
            function step(name, f) {
              try { const r = f(); out.push(name + ':' + (typeof r === 'string' ? r.length : typeof r)); }
              catch (e) { out.push(name + ':' + String(e).slice(0, 40)); }
            }
            step('ropeAtBound', () => { let s = 'a\\u0100'; for (let i = 0; i < 23; i++) s += s; return s.slice(1) + s.indexOf('z'); });
            step('rope', () => { let s = 'a\\u0100'; for (let i = 0; i < 29; i++) s += s; return String(s.indexOf('z')); });
            step('replaceAll', () => '\\u0100b'.repeat(1 << 19).replaceAll('\\u0100', '\\u0101'.repeat(1000)));
            step('join', () => new Array(1 << 24).join('\\u0100'.repeat(60)));
            step('json', () => JSON.stringify(new Array(1000).fill('\\u0100'.repeat(1 << 20))));
            step('normalize', () => '\\ufdfa'.repeat(1 << 22).normalize('NFKD'));
            step('fill', () => String(Array(2 ** 28).fill(0).length));
            step('typed', () => String(new Float64Array(2 ** 26).length));
            return out.join(' ');
            """;

    private OneStepHeapChild() {}

    /**
     * @param args none
     * @throws Exception if the calls fail outside the runtime
     */
    public static void main(String[] args) throws Exception {
        try {
            run();
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    private static void run() throws Exception {
        try (ToolRuntime runtime = ToolRuntime.builder().build()) {
            int calls = runtime.guestThreads();
            System.out.println("heap " + Runtime.getRuntime().maxMemory() + " guest-threads " + calls);
            Tool worst = runtime.load(Tools.tool("{ cpuMs: 10000, wallMs: 60000, memoryMb: 512 }", WORST));
            ExecutorService callers = Executors.newFixedThreadPool(calls);
            List<CompletableFuture<CallResult>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                results.add(CompletableFuture.supplyAsync(
                        () -> runtime.call(worst, JsonNodeFactory.instance.objectNode()), callers));
            }
            for (var r : results) {
                CallResult c = r.get();
                String detail = c.outcome() instanceof Outcome.Ok ok
                        ? ok.value().asText()
                        : c.outcome().message();
                System.out.println("call " + c.outcome().kind().wireName() + " "
                        + c.receipt().allocatedBytes() + " " + detail);
            }
            CallResult after =
                    runtime.call(runtime.load(Tools.tool("return 'alive';")), JsonNodeFactory.instance.objectNode());
            System.out.println("benign " + after.outcome().kind().wireName());
            callers.shutdownNow();
        }
    }
}
