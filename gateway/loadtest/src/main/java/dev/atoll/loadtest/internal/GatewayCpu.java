package dev.atoll.loadtest.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * Reads the gateway's process CPU time from its Prometheus {@code /metrics} (Micrometer's
 * {@code process_cpu_time_ns_total}, or {@code process_cpu_seconds_total}).
 */
public final class GatewayCpu {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String token;

    /**
     * Creates the reader.
     *
     * @param url the metrics URL
     * @param token the admin bearer token ("" for none)
     */
    public GatewayCpu(URI url, String token) {
        this.url = url;
        this.token = token;
    }

    /**
     * The gateway's CPU time now.
     *
     * @return nanoseconds, or empty if the metrics cannot be read or have no CPU meter
     */
    public OptionalDouble cpuNanos() {
        try {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET();
            if (!token.isEmpty()) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return OptionalDouble.empty();
            }
            return parse(r.body());
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /** Finds the process CPU counter in Prometheus text exposition; nanoseconds. */
    static OptionalDouble parse(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, line.indexOf('{') > 0 ? line.indexOf('{') : space);
            double factor = switch (name) {
                case "process_cpu_time_ns_total" -> 1;
                case "process_cpu_seconds_total" -> 1e9;
                default -> 0;
            };
            if (factor > 0) {
                try {
                    return OptionalDouble.of(
                            Double.parseDouble(line.substring(space + 1).strip()) * factor);
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return OptionalDouble.empty();
    }

    /** Closes the client. */
    public void close() {
        http.close();
    }
}
