package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The worker process of {@link WorkerProcessProbe}: starts a {@link ToolRuntime}, loads a tiny tool
 * and answers each stdin line with the JSON result of one cold call. Prints {@code READY} when it
 * serves.
 */
public final class WorkerChild {

    private WorkerChild() {}

    /**
     * @param args none
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (ToolRuntime runtime = ToolRuntime.builder().build()) {
            Tool tiny = runtime.load(Tools.tool("{ cpuMs: 1000, wallMs: 5000 }", "return 2 + 2;"));
            out.println("READY");
            out.flush();
            for (String line; (line = in.readLine()) != null; ) {
                out.println(runtime.call(tiny, JsonNodeFactory.instance.objectNode())
                        .toJson());
                out.flush();
            }
        }
    }
}
