package dev.atoll.gateway.internal.tail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The live tail of every node of the fleet as one stream ({@code GET /v1/tail?fleet=true}): this
 * node's own events from its bus, merged with the tails of the other live nodes, each read from that
 * node's admin API ({@code /v1/tail} with the same filters and the caller's admin token; tokens live
 * in the shared registry) at the admin URL it advertised. Every event keeps the id of the node it
 * came from (a peer's event is re-tagged with the id the registry lists it under, whatever it says).
 *
 * <p>A {@code node} event reports each peer's stream: {@code connected}, {@code lost} (with why; it
 * is reconnected with a back-off of 0.5-5 s while the node stays live) and {@code gone} (its
 * heartbeat went stale: no more tries). The node list is re-read every refresh interval, so a node
 * that starts later joins. What a peer sends is checked: only {@code call} and {@code admin} events
 * of at most {@value #MAX_EVENT_CHARS} characters that parse as a JSON object pass. As with one
 * node's tail, the merged stream has a bounded queue and a consumer that falls behind is dropped
 * (a last {@code dropped} event), never slowing a node.
 */
public final class FleetTail {

    /** Longest event accepted from a peer. */
    static final int MAX_EVENT_CHARS = 256 * 1024;

    private static final Duration SLICE = Duration.ofMillis(500);
    private static final Duration BACKOFF_MIN = Duration.ofMillis(500);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(5);

    /**
     * Another live node and where its admin API answers.
     *
     * @param node its id
     * @param adminUrl its advertised admin URL
     */
    public record Peer(String node, URI adminUrl) {
        /** Rejects nulls. */
        public Peer {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(adminUrl, "adminUrl");
        }
    }

    private final Supplier<List<Peer>> peers;
    private final ObjectMapper json;
    private final Duration heartbeat;
    private final Duration refresh;
    private final BooleanSupplier closing;

    /**
     * Creates the merger.
     *
     * @param peers the other live nodes now (this node left out); read every {@code refresh}
     * @param json the mapper
     * @param heartbeat time between keep-alive comments to the client
     * @param refresh how often the node list is re-read
     * @param closing true once the gateway closes (streams end)
     */
    public FleetTail(
            Supplier<List<Peer>> peers,
            ObjectMapper json,
            Duration heartbeat,
            Duration refresh,
            BooleanSupplier closing) {
        this.peers = Objects.requireNonNull(peers, "peers");
        this.json = Objects.requireNonNull(json, "json");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
        this.closing = Objects.requireNonNull(closing, "closing");
    }

    /**
     * Streams the merged tail until the client goes, it falls behind, or the gateway closes.
     *
     * @param local this node's subscription (closed on return)
     * @param filter the filter (a {@code node} filter also picks the peers read)
     * @param query the filter as a query string for the peers ({@code ?tool=...}, or empty)
     * @param token the caller's admin bearer token, sent to the peers
     * @param out the response body
     */
    public void stream(TailBus.Subscription local, TailFilter filter, String query, String token, OutputStream out) {
        Merge m = new Merge(local.capacity());
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Thread> readers = new ConcurrentHashMap<>();
        Thread pump = Thread.ofVirtual().name("atoll-fleet-tail-local").start(() -> pumpLocal(local, m));
        Thread watcher = Thread.ofVirtual().name("atoll-fleet-tail-nodes").start(() -> {
            while (!m.stopped()) {
                try {
                    List<Peer> now = peers.get().stream()
                            .filter(p -> filter.node().map(p.node()::equals).orElse(true))
                            .toList();
                    readers.values().removeIf(t -> !t.isAlive());
                    for (Peer p : now) {
                        readers.computeIfAbsent(
                                p.node(),
                                n -> Thread.ofVirtual()
                                        .name("atoll-fleet-tail-" + n)
                                        .start(() -> {
                                            try {
                                                readPeer(
                                                        p.node(),
                                                        () -> peers.get().stream()
                                                                .filter(x ->
                                                                        x.node().equals(n))
                                                                .findFirst(),
                                                        query,
                                                        token,
                                                        http,
                                                        m);
                                            } finally {
                                                readers.remove(n);
                                            }
                                        }));
                    }
                } catch (RuntimeException e) {
                    // the registry does not answer now: keep the readers, try again at the next refresh
                }
                m.await(refresh);
            }
        });
        try (local) {
            write(out, ": atoll live tail (fleet)\n\n");
            long lastWrite = System.nanoTime();
            Duration slice = heartbeat.compareTo(SLICE) < 0 ? heartbeat : SLICE;
            while (!closing.getAsBoolean()) {
                String frame = m.frames.poll(slice.toMillis(), TimeUnit.MILLISECONDS);
                if (frame != null) {
                    write(out, frame);
                    lastWrite = System.nanoTime();
                } else if (m.overflowed.get()) {
                    write(
                            out,
                            TailStream.frame(
                                    "dropped",
                                    "{\"type\":\"dropped\",\"message\":\"this subscriber fell"
                                            + " more than " + local.capacity()
                                            + " events behind and was dropped so that calls are"
                                            + " never slowed; reconnect to resume\"}"));
                    return;
                } else if (System.nanoTime() - lastWrite >= heartbeat.toNanos()) {
                    write(out, ": ping\n\n");
                    lastWrite = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        } finally {
            m.stop();
            http.shutdownNow(); // ends the peers' streams
            pump.interrupt();
            watcher.interrupt();
            readers.values().forEach(Thread::interrupt);
        }
    }

    /** The merged stream's bounded queue and stop signal. */
    private static final class Merge {
        final LinkedBlockingQueue<String> frames;
        final AtomicBoolean overflowed = new AtomicBoolean();
        final CountDownLatch stop = new CountDownLatch(1);

        Merge(int capacity) {
            this.frames = new LinkedBlockingQueue<>(capacity);
        }

        void offer(String frame) {
            if (!overflowed.get() && !frames.offer(frame)) {
                overflowed.set(true);
            }
        }

        boolean stopped() {
            return stop.getCount() == 0 || overflowed.get();
        }

        void stop() {
            stop.countDown();
        }

        /** Waits up to {@code d} or until stopped. */
        void await(Duration d) {
            try {
                stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                stop.countDown();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void pumpLocal(TailBus.Subscription local, Merge m) {
        try {
            while (!m.stopped()) {
                Optional<TailEvent> e = local.next(SLICE);
                if (e.isPresent()) {
                    m.offer(TailStream.frame(e.get().type(), e.get().toJson().toString()));
                } else if (local.overflowed()) {
                    m.overflowed.set(true);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    /** Reads one peer's tail into the merge, reconnecting while the peer stays listed live. */
    private void readPeer(
            String node, Supplier<Optional<Peer>> current, String query, String token, HttpClient http, Merge m) {
        Duration backoff = BACKOFF_MIN;
        boolean lost = false; // reported lost and not connected since: retries are not reported again
        while (!m.stopped()) {
            Optional<Peer> p;
            try {
                p = current.get();
            } catch (RuntimeException e) {
                p = Optional.empty(); // the registry does not answer: treat as not live, the watcher retries
            }
            if (p.isEmpty()) {
                status(m, node, "gone", "no longer a live node of the fleet (no heartbeat)");
                return;
            }
            String why;
            try {
                HttpRequest req = HttpRequest.newBuilder(
                                URI.create(p.get().adminUrl().toString().replaceAll("/+$", "") + "/v1/tail" + query))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build();
                HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = r.body()) {
                    if (r.statusCode() != 200) {
                        why = "its admin API answered HTTP " + r.statusCode();
                    } else {
                        status(m, node, "connected", p.get().adminUrl().toString());
                        lost = false;
                        backoff = BACKOFF_MIN;
                        why = relay(node, body, m);
                    }
                }
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                why = String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            if (m.stopped()) {
                return;
            }
            if (!lost) {
                status(m, node, "lost", why.length() > 300 ? why.substring(0, 300) : why);
                lost = true;
            }
            m.await(backoff);
            backoff = backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff.multipliedBy(2);
        }
    }

    /** Relays SSE events of a peer until its stream ends; says why it ended. */
    private String relay(String node, InputStream body, Merge m) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String event = "message";
        StringBuilder data = new StringBuilder();
        boolean tooLong = false;
        for (String line; (line = in.readLine()) != null && !m.stopped(); ) {
            if (line.isEmpty()) {
                if (event.equals("dropped")) {
                    return "it dropped this stream (fell behind)";
                }
                if (!data.isEmpty() && !tooLong && (event.equals("call") || event.equals("admin"))) {
                    forward(node, event, data.toString(), m);
                }
                event = "message";
                data.setLength(0);
                tooLong = false;
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                if (data.length() + line.length() > MAX_EVENT_CHARS) {
                    tooLong = true;
                } else {
                    data.append(data.isEmpty() ? "" : "\n")
                            .append(line.substring(5).stripLeading());
                }
            }
        }
        return "its stream ended";
    }

    private void forward(String node, String event, String data, Merge m) {
        JsonNode n;
        try {
            n = json.readTree(data);
        } catch (IOException e) {
            return; // not an event: left out
        }
        if (n instanceof ObjectNode o && event.equals(o.path("type").asText())) {
            o.put("node", node); // the registry's id of the node it came from
            m.offer(TailStream.frame(event, o.toString()));
        }
    }

    private static void status(Merge m, String node, String state, String detail) {
        m.offer(TailStream.frame(
                "node",
                JsonNodeFactory.instance
                        .objectNode()
                        .put("type", "node")
                        .put("at", Instant.now().toString())
                        .put("node", node)
                        .put("state", state)
                        .put("detail", detail)
                        .toString()));
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
