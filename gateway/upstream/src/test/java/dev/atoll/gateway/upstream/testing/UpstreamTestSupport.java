package dev.atoll.gateway.upstream.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Helpers for the upstream tests: where Node and the npm servers are, bwrap, bounded waiting. */
public final class UpstreamTestSupport {

    public static final ObjectMapper JSON = new ObjectMapper();

    private UpstreamTestSupport() {}

    /** The repository root (the directory holding scripts/node/package.json). */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/node/package.json"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The pinned Node 22 (scripts/test.sh installs it). */
    public static String node() {
        Path n = root().resolve("scripts/node/node_modules/.bin/node");
        assumeTrue(
                Files.isExecutable(n),
                "Node 22 is not installed in scripts/node (run scripts/test.sh or npm ci there)");
        try {
            return n.toRealPath().toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entry script of an npm MCP server package, e.g. {@code server-memory}. */
    public static String npmServer(String pkg) {
        Path p = root().resolve("scripts/node/node_modules/@modelcontextprotocol/" + pkg + "/dist/index.js");
        assumeTrue(
                Files.exists(p),
                "@modelcontextprotocol/" + pkg + " is not installed in scripts/node (scripts/test.sh)");
        return p.toString();
    }

    /**
     * The hostile test server script, as a file in the source tree (this class may be read from a test
     * jar, where a resource is no file).
     */
    public static String hostileServer() {
        Path p = root().resolve("gateway/upstream/src/test/resources/upstream/hostile-server.mjs");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing " + p);
        }
        return p.toString();
    }

    /**
     * Deletes a directory tree a test made (for directories that must sit directly under /tmp, where
     * JUnit's {@code @TempDir} cannot put them). Best effort: what cannot be deleted stays.
     */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a file something still holds stays
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort
        }
    }

    /** Skips the test, saying why, when bubblewrap is missing. */
    public static void assumeBwrap() {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            found |= Files.isExecutable(Path.of(d, "bwrap"));
        }
        assumeTrue(
                found, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap (scripts/test.sh installs it)");
    }

    /** Waits until {@code condition} holds (Awaitility, polling every 50 ms), at most {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    /** A JSON request to the admin API. */
    public static JsonNode admin(String url, String token, String method, String path, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> r = c.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n = JSON.readTree(r.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.createObjectNode()).put("status", r.statusCode());
            return JSON.createObjectNode().put("status", r.statusCode()).set("body", n);
        }
    }
}
