package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The admin API as the CLI's commands use it: one request, its JSON reply, and the refusal message.
 *
 * @param url the admin API's base URL, without a trailing slash
 * @param token the admin bearer token
 */
record AdminClient(String url, String token) {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param status HTTP status
     * @param body the JSON body (an empty object for none; {@code {"raw": ...}} if it was not JSON)
     * @param json whether the body was JSON (an admin API always answers JSON)
     */
    record Reply(int status, JsonNode body, boolean json) {

        /** @return whether the status is 2xx */
        boolean ok() {
            return status / 100 == 2;
        }
    }

    /** A command's work against the admin API. */
    @FunctionalInterface
    interface Call {
        /**
         * @return the exit status
         * @throws IOException when the admin API cannot be reached or answers badly
         * @throws InterruptedException when interrupted
         */
        int run() throws IOException, InterruptedException;
    }

    AdminClient {
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** GET {@code path}. */
    Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }

    /** DELETE {@code path}. */
    Reply delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, null);
    }

    /** POST {@code body} as JSON to {@code path}. */
    Reply post(String path, Object body) throws IOException, InterruptedException {
        return send(
                "POST", path, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)), "application/json");
    }

    /**
     * Sends one request with the admin token.
     *
     * @param method HTTP method
     * @param path path and query
     * @param body the body, or null for none
     * @param type its content type, or null
     * @return the reply
     * @throws IOException when the admin API cannot be reached
     * @throws InterruptedException when interrupted
     */
    Reply send(String method, String path, HttpRequest.@Nullable BodyPublisher body, @Nullable String type)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (type != null) {
            b.header("Content-Type", type);
        }
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n;
            boolean isJson = true;
            try {
                n = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
            } catch (IOException e) {
                n = JSON.createObjectNode().put("raw", new String(r.body(), StandardCharsets.UTF_8));
                isJson = false;
            }
            return new Reply(r.statusCode(), n, isJson);
        }
    }

    /**
     * Prints why the gateway refused, in words an operator can act on, and returns exit status 1.
     * A reply that is not the admin API's JSON (another server, or the MCP listener) is named as such.
     *
     * @param r the reply
     * @param err where it goes
     * @return 1
     */
    int refused(Reply r, PrintWriter err) {
        if (!r.json()) {
            String raw = r.body().path("raw").asText().strip();
            raw = raw.length() > 120 ? raw.substring(0, 120) + "..." : raw;
            err.println("atoll: " + url + " does not answer like the Atoll admin API (HTTP " + r.status() + ", '"
                    + raw + "'): it looks like the MCP listener or another server. The admin API has its own "
                    + "port (default 8081; 'atoll serve' prints it as 'admin API'): set --admin-url or "
                    + "ATOLL_ADMIN_URL to it");
            return 1;
        }
        String msg = r.body().path("error").path("message").asText(r.body().toString());
        err.println("atoll: the gateway refused (" + r.status() + "): " + msg);
        return 1;
    }

    /**
     * Runs a command against the admin API, turning connection failures into a one-line message and
     * exit status 2 instead of a stack trace.
     *
     * @param err where the message goes
     * @param call the command
     * @return its exit status, or 2
     */
    int calling(PrintWriter err, Call call) {
        try {
            return call.run();
        } catch (ConnectException e) {
            err.println("atoll: cannot reach the admin API at " + url + " (is 'atoll serve' running? set "
                    + "ATOLL_ADMIN_URL or --admin-url)");
            return 2;
        } catch (IOException e) {
            err.println("atoll: admin API at " + url + ": "
                    + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    /** @return {@code s} encoded for a URL path segment or query value */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** @return the environment variable, trimmed, or the fallback when it is unset or blank */
    static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
