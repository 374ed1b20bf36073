package dev.atoll.gateway.testing;

import dev.atoll.gateway.Gateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of a running gateway's {@code /metrics} over real HTTP, and the samples in it (Prometheus
 * text format: {@code name{label="value",...} number}).
 *
 * @param text the exposition
 */
public record Scrape(String text) {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /**
     * Scrapes {@code gateway} with an admin token.
     *
     * @param gateway the gateway
     * @param adminToken an admin bearer token
     * @return the scrape
     */
    public static Scrape of(Gateway gateway, String adminToken) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics"))
                .header("Authorization", "Bearer " + adminToken)
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + res.statusCode() + ": " + res.body());
            }
            return new Scrape(res.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every sample. */
    public List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                // label values here never hold '",' (tool, tenant, rule names; closed sets)
                for (String kv : body.split("\",")) {
                    if (kv.isEmpty()) {
                        continue;
                    }
                    int eq = kv.indexOf('=');
                    String v = kv.substring(eq + 1);
                    labels.put(kv.substring(0, eq), v.substring(1, v.endsWith("\"") ? v.length() - 1 : v.length()));
                }
            }
            String number = line.substring(space + 1);
            out.add(new Sample(
                    name,
                    labels,
                    switch (number) {
                        case "+Inf" -> Double.POSITIVE_INFINITY;
                        case "-Inf" -> Double.NEGATIVE_INFINITY;
                        case "NaN" -> Double.NaN;
                        default -> Double.parseDouble(number);
                    }));
        }
        return out;
    }

    /** The names of every sample. */
    public Set<String> names() {
        Set<String> out = new TreeSet<>();
        samples().forEach(s -> out.add(s.name()));
        return out;
    }

    /**
     * The samples of {@code name} whose labels include every {@code key=value} pair given.
     *
     * @param name the sample name
     * @param labels alternating keys and values
     * @return the matching samples
     */
    public List<Sample> series(String name, String... labels) {
        return samples().stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> {
                    for (int i = 0; i < labels.length; i += 2) {
                        if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                            return false;
                        }
                    }
                    return true;
                })
                .toList();
    }

    /**
     * The sum of the samples of {@code name} with these labels (0 when there are none).
     *
     * @param name the sample name
     * @param labels alternating keys and values
     * @return the sum
     */
    public double sum(String name, String... labels) {
        return series(name, labels).stream().mapToDouble(Sample::value).sum();
    }
}
