package dev.atoll.loadtest.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.atoll.loadtest.LoadTestException;
import dev.atoll.loadtest.LoadTestReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The HTML report: one file with uPlot's script and style (from its WebJar, copied into this module's jar
 * at build time) and the runs' JSON inlined, so it opens offline and can be shared as it is.
 */
public final class HtmlReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlReport() {}

    /**
     * Renders the report.
     *
     * @param runs one run, or two to compare
     * @return the HTML document
     */
    public static String render(List<LoadTestReport> runs) {
        if (runs.isEmpty() || runs.size() > 2) {
            throw new LoadTestException("a report shows one run or compares two, got " + runs.size());
        }
        ArrayNode a = JSON.createArrayNode();
        runs.forEach(r -> a.add(r.toJson()));
        // inside <script>: "</" would end the element early
        String data = a.toString().replace("</", "<\\/");
        String template = resource("report.html");
        return template.replace("/*UPLOT_CSS*/", resource("uplot/uPlot.min.css"))
                .replace("/*UPLOT_JS*/", resource("uplot/uPlot.iife.min.js").replace("</script", "<\\/script"))
                .replace("/*RUNS*/", data);
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new LoadTestException("the report resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LoadTestException("cannot read the report resource " + name, e);
        }
    }
}
