package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.LogFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atoll serve --log-format}: a bad value is one usage error before anything starts; json is one object per line. */
class ServeLogFormatTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownFormatIsAUsageErrorAndNothingStarts() {
        Path data = dir.resolve("data");
        CliFixture.Run r = MainTestSupport.atoll(
                "serve", "--log-format", "xml", "--port", "0", "--admin-port", "0", "--data", data.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--log-format must be text or json, got 'xml'"), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(data), "nothing was created");
    }

    @Test
    void jsonInstallsAFormatterWritingOneObjectPerLine() throws Exception {
        Logger root = Logger.getLogger("");
        Map<Handler, Formatter> before = new HashMap<>();
        for (Handler h : root.getHandlers()) {
            before.put(h, h.getFormatter());
        }
        try {
            LogFormat.JSON.install();
            assertTrue(root.getHandlers().length > 0);
            LogRecord rec = new LogRecord(Level.WARNING, "line one\nline two");
            rec.setLoggerName("atoll.test");
            for (Handler h : root.getHandlers()) {
                String out = h.getFormatter().format(rec);
                assertEquals(1, out.lines().count(), out);
                var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
                assertEquals("WARNING", n.path("level").asText());
                assertEquals("atoll.test", n.path("logger").asText());
                assertEquals("line one\nline two", n.path("message").asText());
            }
        } finally {
            before.forEach(Handler::setFormatter);
        }
    }
}
