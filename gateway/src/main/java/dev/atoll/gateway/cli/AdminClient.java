package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The admin API as the CLI's commands use it: one request, its JSON reply, and the refusal message. */
final class AdminClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private AdminClient() {
    }

    /**
     * @param status HTTP status
     * @param body the JSON body (an empty object for none; {@code {"raw": ...}} if it was not JSON)
     */
    record Reply(int status, JsonNode body) {
    }

    /**
     * Sends one request with the admin token.
     *
     * @param url the admin API's base URL
     * @param token the admin token
     * @param method HTTP method
     * @param path path and query
     * @param body the body, or null for none
     * @param type its content type, or null
     * @return the reply
     * @throws IOException when the admin API cannot be reached
     * @throws InterruptedException when interrupted
     */
    static Reply send(String url, String token, String method, String path, HttpRequest.BodyPublisher body,
            String type) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (type != null) {
            b.header("Content-Type", type);
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n;
            try {
                n = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
            } catch (IOException e) {
                n = JSON.createObjectNode().put("raw", new String(r.body(), StandardCharsets.UTF_8));
            }
            return new Reply(r.statusCode(), n);
        }
    }

    /**
     * Prints the gateway's refusal (its error message, or the whole body).
     *
     * @param r the reply
     * @param err where it goes
     * @return exit status 1
     */
    static int refused(Reply r, PrintStream err) {
        String msg = r.body().path("error").path("message").asText(r.body().toString());
        err.println("atoll: the gateway refused (" + r.status() + "): " + msg);
        return 1;
    }

    /** @return {@code s} encoded for a URL path segment or query value */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** @return the environment variable, trimmed, or the fallback when it is unset or blank */
    static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
