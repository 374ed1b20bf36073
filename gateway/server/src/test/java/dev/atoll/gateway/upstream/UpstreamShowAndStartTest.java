package dev.atoll.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.internal.DockerLauncher;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue #17, mistakes found late: a server that dies at start says "failed to start" with its last
 * stderr lines; {@code GET /v1/upstreams/{name}} shows the tools with descriptions, schemas and pins
 * before approval; an image the engine lacks is refused at add.
 */
class UpstreamShowAndStartTest {

    @Test
    void aServerThatDiesAtStartSaysFailedToStartWithItsLastStderrLines() throws Exception {
        UpstreamTestSupport.assumeBwrap();
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "dies",
                            "kind",
                            "bubblewrap",
                            "command",
                            List.of(
                                    UpstreamTestSupport.node(),
                                    "-e",
                                    "console.error('starting'); console.error('boom: MEMORY_FILE_PATH is not set'); process.exit(1)")));
            assertEquals(201, r.path("status").asInt(), r.toString());
            UpstreamTestSupport.await(
                    "a start failure",
                    Duration.ofSeconds(60),
                    () -> g.upstream("dies").path("lastError").asText().contains("failed to start"));
            JsonNode up = g.upstream("dies");
            String error = up.path("lastError").asText();
            assertTrue(error.contains("boom: MEMORY_FILE_PATH is not set"), error);
            assertFalse(error.contains("during the call"), "no call was made: " + error);
            assertTrue(
                    List.of("starting", "restarting").contains(up.path("state").asText()), up.toString());
            assertEquals(error, up.path("status").path("lastError").asText());
        }
    }

    @Test
    void showGivesToolsWithDescriptionsSchemasAndPinsBeforeAndAfterApproval() throws Exception {
        UpstreamTestSupport.assumeBwrap();
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            g.addAndWait(
                    "show",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                    Map.of(),
                    List.of());
            JsonNode before = g.upstream("show");
            assertEquals("show", before.path("name").asText());
            assertEquals("running", before.path("state").asText());
            assertEquals("bubblewrap", before.path("backend").asText());
            assertEquals("QUARANTINED", before.path("approval").asText());
            assertEquals(2, before.path("command").size());
            assertTrue(before.path("lastError").isNull(), before.toString());
            assertFalse(before.path("serving").asBoolean());
            JsonNode echo = tool(before, "echo");
            assertEquals("Echoes its text.", echo.path("description").asText());
            assertTrue(echo.path("pin").isNull(), echo.toString());
            assertFalse(echo.path("serving").asBoolean());
            assertEquals(
                    "string",
                    echo.path("inputSchema")
                            .path("properties")
                            .path("text")
                            .path("type")
                            .asText());

            g.approve("show");
            JsonNode after = g.upstream("show");
            assertTrue(after.path("serving").asBoolean(), after.toString());
            assertEquals("APPROVED", after.path("approval").asText());
            JsonNode pinned = tool(after, "echo");
            assertTrue(pinned.path("pin").asText().matches("[0-9a-f]{64}"), pinned.toString());
            assertEquals(pinned.path("digest").asText(), pinned.path("pin").asText());
            assertTrue(pinned.path("serving").asBoolean());
        }
    }

    @Test
    void addRefusesAnImageTheEngineDoesNotHave() throws Exception {
        Optional<String> noEngine =
                DockerLauncher.create(DockerLauncher.DEFAULT_HOST).unavailableReason();
        assumeTrue(noEngine.isEmpty(), () -> "no Docker engine: " + noEngine.orElse(""));
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "alpine",
                            "kind",
                            "docker",
                            "image",
                            "atoll-no-such-image:22-alpine",
                            "command",
                            List.of("node", "server.js")));
            assertEquals(400, r.path("status").asInt(), r.toString());
            assertEquals(
                    "will_not_start", r.path("body").path("error").path("code").asText());
            String m = r.path("body").path("error").path("message").asText();
            assertTrue(
                    m.contains("'atoll-no-such-image:22-alpine' is not on the Docker engine")
                            && m.contains("never pulls"),
                    m);
            assertEquals(0, g.admin("GET", "/v1/upstreams", null).path("body").size());
        }
    }

    private static JsonNode tool(JsonNode upstream, String name) {
        for (JsonNode t : upstream.path("tools")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + upstream);
    }
}
