package dev.atoll.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatewayCpuTest {

    @Test
    void readsMicrometersProcessCpuCounter() {
        String text = """
                # HELP process_cpu_time_ns_total The "cputime" of the Java virtual machine process
                # TYPE process_cpu_time_ns_total counter
                process_cpu_time_ns_total 4.2E9
                process_cpu_usage 0.5
                """;
        assertEquals(4.2e9, GatewayCpu.parse(text).getAsDouble());
        assertEquals(
                3e9,
                GatewayCpu.parse("process_cpu_seconds_total{a=\"b\"} 3.0\n").getAsDouble());
        assertTrue(GatewayCpu.parse("jvm_threads_live_threads 12\n").isEmpty());
    }
}
