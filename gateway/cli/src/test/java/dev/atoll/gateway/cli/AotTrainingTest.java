package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code atoll aot-training}, the workload the launcher runs under {@code -XX:AOTCacheOutput} with
 * {@code ATOLL_AOT=1}: it must really drive calls through a gateway (a cache trained on a run whose
 * calls all failed would record the error path), exit 0, and leave no data directory behind.
 */
class AotTrainingTest {

    @Test
    void drivesCallsThroughAGatewayAndLeavesNothingBehind() throws IOException {
        List<Path> before = trainingDirs();
        CliFixture.Run r = assertTimeoutPreemptively(
                Duration.ofMinutes(3), () -> MainTestSupport.atoll("aot-training", "--seconds", "4"));
        assertEquals(0, r.code(), r.out() + r.err());
        Matcher m = Pattern.compile("AOT training: (\\d+) calls").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertTrue(Long.parseLong(m.group(1)) > 0, r.err());
        assertEquals(before, trainingDirs(), "the throwaway data directory is deleted");
    }

    @Test
    void aDurationOutOfRangeIsAUsageError() {
        CliFixture.Run r = MainTestSupport.atoll("aot-training", "--seconds", "0");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--seconds must be 1-600"), r.err());
    }

    private static List<Path> trainingDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("atoll-aot-training"))
                    .sorted()
                    .toList();
        }
    }
}
