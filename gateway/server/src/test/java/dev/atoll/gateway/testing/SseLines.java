package dev.atoll.gateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test support: reads a server-sent event stream over real HTTP on a daemon thread and keeps its
 * {@code data:} lines (with the event name before them as {@code event:NAME}) for assertions.
 */
public final class SseLines implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private final int status;

    /**
     * Opens the stream.
     *
     * @param url the URL
     * @param adminToken the bearer token
     */
    public SseLines(String url, String adminToken) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + adminToken)
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        this.status = r.statusCode();
        this.body = r.body();
        Thread.ofPlatform().daemon().name("sse-reader").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event: ")) {
                        lines.add("event:" + line.substring(7));
                    } else if (line.startsWith("data: ")) {
                        lines.add(line.substring(6));
                    }
                }
                lines.add("EOF");
            } catch (IOException e) {
                lines.add("EOF");
            }
        });
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The data lines of events named {@code event}, in order. */
    public List<String> data(String event) {
        List<String> all = lines();
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < all.size(); i++) {
            if (all.get(i).equals("event:" + event)) {
                out.add(all.get(i + 1));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
