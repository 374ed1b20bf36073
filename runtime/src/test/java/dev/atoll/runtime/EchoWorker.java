package dev.atoll.runtime;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A bare JVM worker for {@link WorkerProcessProbe}: prints {@code READY}, then answers each stdin line
 * with itself (the floor of any JVM worker: its start, memory and the pipe).
 */
public final class EchoWorker {

    private EchoWorker() {}

    /**
     * @param args none
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        out.println("READY");
        out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            out.println(line);
            out.flush();
        }
    }
}
