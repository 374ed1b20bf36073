package dev.atoll.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a real (in-process) run renders in headless Chromium (Debian package {@code chromium};
 * scripts/test.sh installs it) with every chart drawn: a checker script appended to a copy of the report
 * reads each chart's canvas pixels and writes what it found into the DOM, which Chromium dumps. The report
 * itself is screenshotted to {@code target/loadtest-report.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportChromiumTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final List<String> CHARTS = List.of(
            "latency-over-time", "throughput-over-time", "latency-distribution", "cold-start-phases", "outcomes");

    static final String CHECKER = """
            <script>
            setTimeout(function () {
              const out = [];
              document.querySelectorAll('.chart').forEach(div => {
                let painted = 0, coloured = 0;
                div.querySelectorAll('canvas').forEach(c => {
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 0; i < d.length; i += 4) {
                    if (d[i + 3] > 0) {
                      painted++;
                      if (Math.abs(d[i] - d[i + 1]) > 40 || Math.abs(d[i + 1] - d[i + 2]) > 40) coloured++;
                    }
                  }
                });
                out.push(div.id + '=' + painted + '/' + coloured);
              });
              const pre = document.createElement('pre');
              pre.id = 'atoll-check';
              pre.textContent = 'CHECK drawn=' + window.atollChartsDrawn + ';' + out.join(';') + ';END';
              document.body.appendChild(pre);
            }, 500);
            </script>
            """;

    LoadTestReport run;

    @BeforeAll
    void load() {
        assertTrue(
                Files.isExecutable(CHROMIUM),
                "headless Chromium is needed at " + CHROMIUM + " (apt-get install chromium; scripts/test.sh does)");
        run = LoadTest.builder()
                .inProcess(InProcessLoadTest.WORD_COUNT)
                .arguments(List.of("{\"text\":\"a b c\"}"))
                .rate(40, java.time.Duration.ofSeconds(3))
                .build()
                .run();
        assertTrue(run.calls() > 0, run.summary());
    }

    @Test
    void everyChartIsDrawnAndTheReportIsSelfContained(@TempDir Path dir) throws Exception {
        String html = LoadTestReport.html(List.of(run));
        assertSelfContained(html);
        Path report = Files.writeString(dir.resolve("report.html"), html);
        Map<String, int[]> charts = drawn(dir, html);
        assertEquals(CHARTS, List.copyOf(charts.keySet()));
        charts.forEach((id, px) -> assertTrue(
                px[1] > 100,
                id + " has " + px[1] + " coloured pixels (of " + px[0] + " painted): its series were not drawn"));
        Path shot = Path.of("target", "loadtest-report.png").toAbsolutePath();
        chromium(
                dir,
                "--window-size=1100,2700",
                "--screenshot=" + shot,
                report.toUri().toString());
        assertTrue(Files.size(shot) > 10_000, "screenshot " + shot);
    }

    @Test
    void aComparisonDrawsBothRuns(@TempDir Path dir) throws Exception {
        String html = LoadTestReport.html(List.of(run, run));
        assertSelfContained(html);
        Map<String, int[]> charts = drawn(dir, html);
        assertEquals(CHARTS, List.copyOf(charts.keySet()));
        charts.forEach((id, px) -> assertTrue(px[1] > 100, id + ": " + px[1] + " coloured pixels"));
        String table = LoadTestReport.compare(run, run);
        assertTrue(table.contains("after/before") && table.contains("1.00x"), table);
    }

    private static void assertSelfContained(String html) {
        assertFalse(html.contains("<script src") || html.contains("<link"), "the report loads something from outside");
        assertTrue(html.contains("uPlot"), "uPlot is inlined");
    }

    /** Loads the report with the checker appended; chart id to {painted, coloured} pixels. */
    private static Map<String, int[]> drawn(Path dir, String html) throws Exception {
        Path checked = Files.writeString(dir.resolve("checked.html"), html.replace("</body>", CHECKER + "</body>"));
        String dom = chromium(
                dir,
                "--virtual-time-budget=10000",
                "--dump-dom",
                checked.toUri().toString());
        int at = dom.indexOf("<pre id=\"atoll-check\">CHECK drawn="); // not the checker's own source
        at = at < 0 ? -1 : dom.indexOf("CHECK drawn=", at);
        assertTrue(
                at >= 0,
                "the checker did not run; Chromium printed: " + dom.substring(0, Math.min(2000, dom.length())));
        String check = dom.substring(at + "CHECK drawn=".length(), dom.indexOf(";END", at));
        String[] parts = check.split(";");
        assertEquals(String.valueOf(CHARTS.size()), parts[0], "charts created: " + check);
        Map<String, int[]> charts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=");
            String[] px = kv[1].split("/");
            charts.put(kv[0], new int[] {Integer.parseInt(px[0]), Integer.parseInt(px[1])});
        }
        return charts;
    }

    private static String chromium(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("chromium.out");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("chromium.err").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(dir.resolve("chromium.err")));
        return read(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
