package dev.atoll.gateway.dlp;

import static dev.atoll.gateway.dlp.DlpTestSupport.ctx;
import static dev.atoll.gateway.dlp.DlpTestSupport.json;
import static dev.atoll.gateway.dlp.DlpTestSupport.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A corpus of things that look random but are not secrets (UUIDs, git SHAs, random ids, a base64 PNG,
 * minified JavaScript, an MCP result with pagination tokens and schemas): not blocked inbound, and no
 * finding at all.
 */
class DlpFalsePositiveTest {

    private static final DlpEngine ENGINE = DlpEngine.create();

    @ParameterizedTest
    @ValueSource(strings = {"uuids.txt", "git-shas.txt", "random-ids.txt", "minified.js"})
    void textCorpusIsClean(String file) {
        String text = resource("corpus/" + file);
        assertTrue(text.length() > 2000, file + " is too small to mean anything");
        DlpResult<String> r = ENGINE.scanText(text, ctx(Direction.INBOUND));
        assertEquals(List.of(), r.findings(), file);
        assertInstanceOf(Verdict.Allow.class, r.verdict());
        assertEquals(Optional.empty(), r.incomplete());
        // Line by line too, as separate JSON strings (a different path: one scan per value).
        JsonNode lines = DlpTestSupport.JSON.valueToTree(text.lines().toList());
        assertEquals(List.of(), ENGINE.scan(lines, ctx(Direction.INBOUND)).findings(), file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"image-result.json", "mcp-result.json"})
    void jsonCorpusIsClean(String file) {
        JsonNode payload = json(resource("corpus/" + file));
        for (Direction d : Direction.values()) {
            DlpResult<JsonNode> r = ENGINE.scan(payload, ctx(d));
            assertEquals(List.of(), r.findings(), file + " " + d);
            assertFalse(r.blocked());
        }
    }
}
