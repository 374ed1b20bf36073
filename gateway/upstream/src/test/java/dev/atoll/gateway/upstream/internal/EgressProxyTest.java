package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.Resolver;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EgressProxy} with real HTTP servers on 127.0.0.1 (reachable only through the operator's
 * explicit address allowance, as in FetchBinding's tests) and raw HTTP/1.1 over its Unix socket.
 */
class EgressProxyTest {
    @TempDir
    Path dir;

    private WebServer allowed;
    private WebServer other;
    private final AtomicInteger allowedHits = new AtomicInteger();
    private final AtomicInteger otherHits = new AtomicInteger();
    private final List<String> allowedBodies = new CopyOnWriteArrayList<>();
    private final List<EgressProxy.EgressEvent> events = new CopyOnWriteArrayList<>();
    private EgressProxy proxy;

    @BeforeEach
    void start() throws IOException {
        allowed = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    allowedHits.incrementAndGet();
                    allowedBodies.add(req.content().hasEntity() ? req.content().as(String.class) : "");
                    res.send("hello from " + req.prologue().uriPath().path());
                }))
                .build()
                .start();
        other = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    otherHits.incrementAndGet();
                    res.send("should never be reached");
                }))
                .build()
                .start();
        Map<String, String> names = Map.of(
                "allowed.test",
                "127.0.0.1",
                "other.test",
                "127.0.0.1",
                "metadata.test",
                "169.254.169.254",
                "private.test",
                "10.1.2.3");
        Resolver resolver = host -> {
            String a = names.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return List.of(InetAddress.getByName(a));
        };
        EgressPolicy policy = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(allowed.port(), other.port(), 80)
                .httpsPorts(allowed.port(), other.port(), 443)
                .allowAddress("127.0.0.1")
                .build();
        proxy = EgressProxy.start(
                "demo",
                dir.resolve("egress/demo.sock"),
                List.of("allowed.test", "metadata.test", "private.test"),
                policy,
                resolver,
                DlpEgressInspector.create(DlpEngine.create(), "tenant-a", r -> {}),
                events::add);
    }

    @AfterEach
    void stop() {
        proxy.close();
        allowed.stop();
        other.stop();
    }

    @Test
    void anAllowedHostIsForwarded() throws IOException {
        String reply = exchange("GET http://allowed.test:" + allowed.port() + "/ok HTTP/1.1\r\nHost: allowed.test:"
                + allowed.port() + "\r\nConnection: close\r\n\r\n");
        assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
        assertTrue(reply.endsWith("hello from /ok"), reply);
        assertEquals(1, allowedHits.get());
        assertEquals("allowed", events.getLast().outcome());
    }

    @Test
    void hostsNotAllowedAndPrivateOrMetadataAddressesAreRefusedWithoutAConnection() throws IOException {
        String notListed = exchange("GET http://other.test:" + other.port() + "/ HTTP/1.1\r\nHost: other.test\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(notListed.startsWith("HTTP/1.1 403"), notListed);
        assertTrue(notListed.contains("egress list"), notListed);
        String metadata = exchange("GET http://metadata.test/latest/meta-data/ HTTP/1.1\r\nHost: metadata.test\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(metadata.startsWith("HTTP/1.1 403") && metadata.contains("link-local"), metadata);
        String privateNet =
                exchange("GET http://private.test/ HTTP/1.1\r\nHost: private.test\r\n" + "Connection: close\r\n\r\n");
        assertTrue(privateNet.startsWith("HTTP/1.1 403") && privateNet.contains("private"), privateNet);
        String literal = exchange(
                "GET http://127.0.0.1:" + other.port() + "/ HTTP/1.1\r\nHost: x\r\n" + "Connection: close\r\n\r\n");
        assertTrue(literal.startsWith("HTTP/1.1 403"), literal);
        String tunnel = exchange(
                "CONNECT other.test:" + other.port() + " HTTP/1.1\r\nHost: other.test:" + other.port() + "\r\n\r\n");
        assertTrue(tunnel.startsWith("HTTP/1.1 403"), tunnel);
        String metadataTunnel = exchange("CONNECT 169.254.169.254:443 HTTP/1.1\r\nHost: 169.254.169.254:443\r\n\r\n");
        assertTrue(metadataTunnel.startsWith("HTTP/1.1 403"), metadataTunnel);
        assertEquals(0, otherHits.get());
        assertEquals(0, allowedHits.get());
        assertEquals(
                6, events.stream().filter(e -> e.outcome().equals("denied")).count(), events.toString());
    }

    @Test
    void aSecretInARequestBodyIsBlockedByDlp() throws IOException {
        String body = "token=" + githubToken("EXAMPLEexampleEXAMPLEexample00");
        String reply = exchange("POST http://allowed.test:" + allowed.port() + "/upload HTTP/1.1\r\nHost: allowed.test"
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                + body);
        assertTrue(reply.startsWith("HTTP/1.1 403") && reply.contains("blocked by DLP"), reply);
        assertFalse(reply.contains(body.substring(6)), "the reply repeats the secret");
        assertEquals(0, allowedHits.get());
        assertEquals("blocked", events.getLast().outcome());
        // A clean body passes.
        String clean = "hello";
        String ok = exchange("POST http://allowed.test:" + allowed.port() + "/upload HTTP/1.1\r\nHost: allowed.test"
                + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" + clean);
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
        assertEquals(List.of("hello"), allowedBodies);
        assertEquals(1, allowedHits.get());
    }

    @Test
    void bodiesDlpCannotReadOrThatAreTooLargeAreRefused() throws IOException {
        String gz = exchange("POST http://allowed.test:" + allowed.port() + "/u HTTP/1.1\r\nHost: allowed.test\r\n"
                + "Content-Encoding: gzip\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd");
        assertTrue(gz.startsWith("HTTP/1.1 415"), gz);
        // Chunked, so no declared length: the proxy stops reading at its limit.
        StringBuilder req = new StringBuilder("POST http://allowed.test:" + allowed.port() + "/u HTTP/1.1\r\n"
                + "Host: allowed.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        String chunk = "x".repeat(65536);
        for (int i = 0; i < (EgressProxy.MAX_BODY / chunk.length()) + 2; i++) {
            req.append(Integer.toHexString(chunk.length()))
                    .append("\r\n")
                    .append(chunk)
                    .append("\r\n");
        }
        req.append("0\r\n\r\n");
        String big = exchange(req.toString());
        assertTrue(big.startsWith("HTTP/1.1 413"), big.substring(0, Math.min(200, big.length())));
        assertEquals(0, allowedHits.get());
    }

    @Test
    void connectToAnAllowedHostTunnels() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(proxy.socket()));
            write(
                    ch,
                    "CONNECT allowed.test:" + allowed.port() + " HTTP/1.1\r\nHost: allowed.test:" + allowed.port()
                            + "\r\n\r\n");
            String head = readUntil(ch, "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            // The tunnel carries opaque bytes; plain HTTP shows they arrive at the target.
            write(ch, "GET /tunnelled HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n");
            String reply = readUntil(ch, "hello from /tunnelled");
            assertTrue(reply.startsWith("HTTP/1.1 200") && reply.endsWith("hello from /tunnelled"), reply);
        }
        assertEquals(1, allowedHits.get());
    }

    @Test
    void originFormRequestsGetTheSameChecksForTheirHostHeader() throws IOException {
        String reply = exchange("GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(reply.startsWith("HTTP/1.1 403"), reply);
        assertEquals(0, allowedHits.get() + otherHits.get());
    }

    /** Sends one request and returns everything the proxy answered, read while the request is written. */
    private String exchange(String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(proxy.socket()));
            StringBuilder answer = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(8192);
                try {
                    for (int i = 0; i < 100_000 && ch.read(b) >= 0; i++) {
                        b.flip();
                        synchronized (answer) {
                            answer.append(StandardCharsets.UTF_8.decode(b));
                        }
                        b.clear();
                    }
                } catch (IOException closed) {
                    // the proxy closed (or reset) the connection: what was read is the answer
                }
            });
            try {
                write(ch, request);
            } catch (IOException refusedMidway) {
                // The proxy answered and closed before taking the whole request (a body over its limit).
            }
            try {
                reader.join(java.time.Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (answer) {
                return answer.toString();
            }
        }
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String readAll(SocketChannel ch) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(8192);
        for (int i = 0; i < 10_000 && ch.read(b) >= 0; i++) {
            b.flip();
            sb.append(StandardCharsets.UTF_8.decode(b));
            b.clear();
        }
        return sb.toString();
    }

    private static String readUntil(SocketChannel ch, String end) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(1);
        for (int i = 0; i < 64 << 10 && !sb.toString().endsWith(end) && ch.read(b) > 0; i++) {
            b.flip();
            sb.append((char) b.get());
            b.clear();
        }
        return sb.toString();
    }

    /** A GitHub classic PAT with a valid checksum over an obviously fake random part. */
    static String githubToken(String random) {
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        long n = crc.getValue();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(alphabet.charAt((int) (n % 62)));
            n /= 62;
        }
        return "ghp_" + random + s.reverse();
    }
}
