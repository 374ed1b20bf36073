package dev.atoll.gateway.upstream.internal;

import dev.atoll.host.bindings.DenyReason;
import dev.atoll.host.bindings.EgressDecision;
import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.HttpHeader;
import dev.atoll.host.bindings.InspectedRequest;
import dev.atoll.host.bindings.InspectedResponse;
import dev.atoll.host.bindings.InspectionVerdict;
import dev.atoll.host.bindings.Resolver;
import dev.atoll.host.bindings.pinning.Pin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ConnectHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The egress proxy of one upstream server: an HTTP proxy on a Unix domain socket (reached from inside
 * the sandbox through the {@link EgressBridge}), deny by default.
 *
 * <ul>
 *   <li>{@code CONNECT host:port} (what clients do for {@code https}): the target is checked by the
 *       host-bindings {@link EgressPolicy} exactly as a {@code fetch} of {@code https://host:port/}
 *       would be (the upstream's {@code --allow-host} list, operator deny list, IP literals, ports,
 *       every resolved address public or operator-allowed), then Jetty's {@link ConnectHandler}
 *       tunnels the bytes to the <em>pinned</em> address the policy checked. TLS passes through:
 *       the proxy sees the host name and port, never the content, so DLP does not inspect
 *       {@code https} bodies (see docs/upstreams.md).</li>
 *   <li>absolute-form plain-HTTP requests ({@code GET http://host/path}): the same checks for
 *       {@code http://...} (which the operator must allow), then the request (headers and body, at
 *       most {@value #MAX_BODY} bytes) goes through the {@link EgressInspector} (the gateway's DLP),
 *       is sent with Jetty's client to the pinned address, and the response goes through the
 *       inspector again before the server gets it.</li>
 *   <li>anything else (origin-form requests, other methods to the proxy itself): 400.</li>
 * </ul>
 *
 * <p>Every decision is reported to the {@code events} listener as an {@link EgressEvent}, which the
 * gateway writes to its audit log.
 */
public final class EgressProxy implements AutoCloseable {

    /** The largest request body the proxy forwards for plain HTTP (responses: Jetty's 2 MiB default). */
    static final int MAX_BODY = 4 << 20;

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "proxy-authenticate",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length");

    private final String upstream;
    private final Path socket;
    private final List<String> allowHosts;
    private final EgressPolicy policy;
    private final Resolver resolver;
    private final EgressInspector inspector;
    private final Consumer<EgressEvent> events;
    private final Server server;
    private final HttpClient client;

    /**
     * One decision of the proxy, for the audit log.
     *
     * @param upstream the upstream whose server made the request
     * @param method {@code CONNECT} or the HTTP method
     * @param target {@code host:port} for CONNECT, the URL otherwise
     * @param outcome {@code allowed}, {@code denied} (egress policy), {@code blocked} (DLP),
     *     {@code redacted} (DLP replaced content) or {@code failed} (the target did not answer)
     * @param detail the policy's or inspector's sentence; empty when allowed
     * @param status the HTTP status the server got
     */
    public record EgressEvent(
            String upstream, String method, String target, String outcome, String detail, int status) {
        /** Rejects nulls. */
        public EgressEvent {
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Starts the egress proxy of one upstream; the gateway binds it to its policy, DLP and audit log. */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param upstream the upstream's name
         * @param socket where the proxy listens
         * @param allowHosts the upstream's allowed hosts
         * @param events also receives every decision (e.g. for the upstream's log)
         * @return the running proxy
         * @throws IOException if it cannot listen
         */
        EgressProxy start(String upstream, Path socket, List<String> allowHosts, Consumer<EgressEvent> events)
                throws IOException;

        /** A factory for gateways without egress: every upstream that allows hosts fails to start. */
        static Factory none() {
            return (upstream, socket, allowHosts, events) -> {
                throw new IOException("upstream '" + upstream + "' allows hosts " + allowHosts
                        + " but this gateway has no egress proxy");
            };
        }
    }

    private EgressProxy(
            String upstream,
            Path socket,
            List<String> allowHosts,
            EgressPolicy policy,
            Resolver resolver,
            EgressInspector inspector,
            Consumer<EgressEvent> events) {
        this.upstream = upstream;
        this.socket = socket;
        this.allowHosts = List.copyOf(allowHosts);
        this.policy = policy;
        this.resolver = resolver;
        this.inspector = inspector;
        this.events = events;
        for (String h : this.allowHosts) {
            EgressPolicy.validateEgressEntry(h);
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("egress-" + upstream);
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        ClientConnector connector = new ClientConnector();
        connector.setConnectTimeout(java.time.Duration.ofSeconds(10));
        this.client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setFollowRedirects(false);
        client.setSocketAddressResolver(Pin.RESOLVER);
        client.setUserAgentField(null);
    }

    /**
     * Starts a proxy listening on {@code socket} (created with mode 0666 in a directory of mode 0755;
     * the directory should belong to this upstream alone).
     *
     * @param upstream the upstream's name (for events and thread names)
     * @param socket where to listen; an existing stale socket file is replaced
     * @param allowHosts the upstream's {@code --allow-host} entries ({@code host} or {@code host:port})
     * @param policy the operator's egress policy (the fetch binding's)
     * @param resolver resolves each checked host once
     * @param inspector the DLP egress inspector
     * @param events receives every decision
     * @return the running proxy
     * @throws IOException if the socket cannot be bound
     */
    public static EgressProxy start(
            String upstream,
            Path socket,
            List<String> allowHosts,
            EgressPolicy policy,
            Resolver resolver,
            EgressInspector inspector,
            Consumer<EgressEvent> events)
            throws IOException {
        EgressProxy proxy = new EgressProxy(upstream, socket, allowHosts, policy, resolver, inspector, events);
        proxy.bind();
        return proxy;
    }

    /** The socket the proxy listens on. */
    public Path socket() {
        return socket;
    }

    private void bind() throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        UnixConnector connector = new UnixConnector(server, channel);
        var http = connector
                .getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class)
                .getHttpConfiguration();
        // A proxy takes the target from the absolute-form request line; the Host header may differ.
        http.setHttpCompliance(org.eclipse.jetty.http.HttpCompliance.RFC9110.with(
                "atoll-egress-proxy", org.eclipse.jetty.http.HttpCompliance.Violation.MISMATCHED_AUTHORITY));
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        server.addConnector(connector);
        PolicyConnectHandler connect = new PolicyConnectHandler();
        connect.setHandler(new ForwardHandler());
        connect.setConnectTimeout(10_000);
        connect.setIdleTimeout(60_000);
        server.setHandler(connect);
        try {
            client.start();
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("egress proxy for upstream '" + upstream + "' did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // stopping anyway
        }
        try {
            client.stop();
        } catch (Exception ignored) {
            // stopping anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private void emit(String method, String target, String outcome, String detail, int status) {
        try {
            events.accept(new EgressEvent(upstream, method, target, outcome, detail, status));
        } catch (RuntimeException ignored) {
            // an audit listener's failure must not take the proxy down
        }
    }

    private static final String PIN = "atoll.egress.pin";

    /** CONNECT: the policy decides, then Jetty tunnels to the pinned address. */
    private final class PolicyConnectHandler extends ConnectHandler {
        @Override
        protected void handleConnect(Request request, Response response, Callback callback, String serverAddress) {
            URI target;
            try {
                target = new URI("https://" + serverAddress + "/");
            } catch (java.net.URISyntaxException e) {
                emit("CONNECT", serverAddress, "denied", "malformed CONNECT target", 400);
                refuse(request, response, callback, HttpStatus.BAD_REQUEST_400, "malformed CONNECT target");
                return;
            }
            EgressDecision decision = policy.check(target, allowHosts, resolver);
            if (decision instanceof EgressDecision.Denied d
                    && d.reason() == DenyReason.PORT_NOT_ALLOWED
                    && policy.allowHttp()) {
                // Some clients (Node's fetch among them) tunnel plain http through CONNECT too: a port
                // the operator allows for http passes with the http checks. Its content is not
                // inspected either (see docs/upstreams.md).
                decision = policy.check(URI.create("http://" + serverAddress + "/"), allowHosts, resolver);
            }
            switch (decision) {
                case EgressDecision.Allowed allowed -> {
                    request.setAttribute(PIN, allowed.pinnedAddress());
                    emit("CONNECT", serverAddress, "allowed", "", 200);
                    super.handleConnect(request, response, callback, serverAddress);
                }
                case EgressDecision.Denied denied -> {
                    emit("CONNECT", serverAddress, "denied", denied.message(), 403);
                    refuse(request, response, callback, HttpStatus.FORBIDDEN_403, denied.message());
                }
            }
        }

        @Override
        protected void connectToServer(Request request, String host, int port, Promise<SocketChannel> promise) {
            if (!(request.getAttribute(PIN) instanceof InetSocketAddress pinned)) {
                promise.failed(new IOException("no checked address"));
                return;
            }
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.socket().setTcpNoDelay(true);
                channel.configureBlocking(false);
                channel.connect(pinned);
                promise.succeeded(channel);
            } catch (Throwable x) {
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // failing anyway
                    }
                }
                promise.failed(x);
            }
        }
    }

    /** Absolute-form plain HTTP: policy, DLP on the request, forward to the pinned address, DLP on the reply. */
    private final class ForwardHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String method = request.getMethod();
            String scheme = request.getHttpURI().getScheme();
            String target = request.getHttpURI().toString();
            // Jetty fills scheme and authority of an origin-form request from the Host header: such a
            // request is treated as one for that host (transparent-proxy style), with the same checks.
            if (scheme == null || request.getHttpURI().getHost() == null) {
                emit(method, target, "denied", "not a proxy request (absolute-form URL expected)", 400);
                refuse(
                        request,
                        response,
                        callback,
                        HttpStatus.BAD_REQUEST_400,
                        "this is Atoll's egress proxy: send absolute-form requests or CONNECT");
                return true;
            }
            URI uri = URI.create(target);
            if (!scheme.equalsIgnoreCase("http")) {
                emit(method, target, "denied", "only http URLs can be forwarded; use CONNECT for https", 400);
                refuse(
                        request,
                        response,
                        callback,
                        HttpStatus.BAD_REQUEST_400,
                        "only http URLs can be forwarded; https goes through CONNECT");
                return true;
            }
            EgressDecision decision = policy.check(uri, allowHosts, resolver);
            if (decision instanceof EgressDecision.Denied denied) {
                emit(method, target, "denied", denied.message(), 403);
                refuse(request, response, callback, HttpStatus.FORBIDDEN_403, denied.message());
                return true;
            }
            EgressDecision.Allowed allowed = (EgressDecision.Allowed) decision;
            String encoding = request.getHeaders().get(org.eclipse.jetty.http.HttpHeader.CONTENT_ENCODING);
            if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
                // DLP cannot read a compressed body: fail closed rather than let it pass unread.
                emit(method, target, "denied", "content-encoding " + encoding + " cannot be inspected", 415);
                refuse(
                        request,
                        response,
                        callback,
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
                        "compressed request bodies cannot be inspected; send them uncompressed");
                return true;
            }
            byte[] body;
            try {
                java.util.concurrent.CompletableFuture<byte[]> read = new java.util.concurrent.CompletableFuture<>();
                Content.Source.asByteArrayAsync(request, MAX_BODY, Promise.Invocable.toPromise(read));
                body = read.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                emit(method, target, "denied", "request body over " + MAX_BODY + " bytes or unreadable", 413);
                refuse(
                        request,
                        response,
                        callback,
                        HttpStatus.PAYLOAD_TOO_LARGE_413,
                        "request body over " + MAX_BODY + " bytes or unreadable");
                return true;
            }
            List<HttpHeader> headers = new ArrayList<>();
            for (HttpField f : request.getHeaders()) {
                String name = f.getName().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name)) {
                    headers.add(new HttpHeader(name, f.getValue()));
                }
            }
            InspectedRequest inspected =
                    new InspectedRequest("upstream:" + upstream, "", allowed.uri(), method, headers, body);
            String outcome = "allowed";
            String detail = "";
            InspectionVerdict verdict = inspectSafely(() -> inspector.onRequest(inspected));
            switch (verdict) {
                case InspectionVerdict.Allow a -> {}
                case InspectionVerdict.Block b -> {
                    emit(method, target, "blocked", b.reason(), 403);
                    refuse(request, response, callback, HttpStatus.FORBIDDEN_403, "blocked by DLP: " + b.reason());
                    return true;
                }
                case InspectionVerdict.Replace r -> {
                    headers = r.headers();
                    body = r.body();
                    outcome = "redacted";
                    detail = "request content replaced by DLP";
                }
            }
            ContentResponse answer;
            try {
                var out = client.newRequest(allowed.uri())
                        .tag(new Pin(allowed.pinnedAddress()))
                        .method(method)
                        .timeout(30, TimeUnit.SECONDS);
                List<HttpHeader> sent = headers;
                out.headers(h -> {
                    for (HttpHeader header : sent) {
                        h.add(header.name(), header.value());
                    }
                });
                if (body.length > 0) {
                    out.body(new BytesRequestContent(body));
                }
                answer = out.send();
            } catch (Exception e) {
                Throwable t =
                        e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                emit(method, target, "failed", String.valueOf(t.getMessage()), 502);
                refuse(
                        request,
                        response,
                        callback,
                        HttpStatus.BAD_GATEWAY_502,
                        "the target did not answer: " + t.getMessage());
                return true;
            }
            List<HttpHeader> replyHeaders = new ArrayList<>();
            for (HttpField f : answer.getHeaders()) {
                String name = f.getName().toLowerCase(Locale.ROOT);
                // Jetty's client decoded a gzip body already; the server gets (and DLP saw) plain bytes.
                if (!HOP_BY_HOP.contains(name) && !name.equals("content-encoding")) {
                    replyHeaders.add(new HttpHeader(name, f.getValue()));
                }
            }
            byte[] replyBody = answer.getContent();
            InspectedResponse inspectedReply = new InspectedResponse(answer.getStatus(), replyHeaders, replyBody);
            switch (inspectSafely(() -> inspector.onResponse(inspected, inspectedReply))) {
                case InspectionVerdict.Allow a -> {}
                case InspectionVerdict.Block b -> {
                    emit(method, target, "blocked", "response: " + b.reason(), 502);
                    refuse(
                            request,
                            response,
                            callback,
                            HttpStatus.BAD_GATEWAY_502,
                            "response blocked by DLP: " + b.reason());
                    return true;
                }
                case InspectionVerdict.Replace r -> {
                    replyHeaders = r.headers();
                    replyBody = r.body();
                    outcome = "redacted";
                    detail = "response content replaced by DLP";
                }
            }
            emit(method, target, outcome, detail, answer.getStatus());
            response.setStatus(answer.getStatus());
            HttpFields.Mutable fields = response.getHeaders();
            for (HttpHeader h : replyHeaders) {
                fields.add(h.name(), h.value());
            }
            fields.put(org.eclipse.jetty.http.HttpHeader.CONTENT_LENGTH, replyBody.length);
            response.write(true, ByteBuffer.wrap(replyBody), callback);
            return true;
        }
    }

    /** An error reply that also closes the connection: a refused client gets no second try on it. */
    private static void refuse(Request request, Response response, Callback callback, int status, String message) {
        response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close");
        Response.writeError(request, response, callback, status, message);
    }

    private static InspectionVerdict inspectSafely(java.util.function.Supplier<InspectionVerdict> inspection) {
        try {
            return Objects.requireNonNull(inspection.get(), "verdict");
        } catch (RuntimeException e) {
            // Fail closed, as the fetch binding does.
            return new InspectionVerdict.Block(
                    "the egress inspector failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * A Jetty connector accepting on a Unix domain server channel the proxy opened (Jetty 12.1 has no
     * Unix-domain server connector of its own; its {@code ServerConnector} asks the channel for a
     * {@code java.net.ServerSocket}, which Unix channels do not have). The acceptor thread blocks in
     * {@link #accept(int)}, the accepted channel goes to Jetty's selector as any TCP channel would.
     */
    private static final class UnixConnector extends ServerConnector {
        private final ServerSocketChannel channel;

        UnixConnector(Server server, ServerSocketChannel channel) {
            super(server, 1, 1);
            this.channel = channel;
        }

        @Override
        public void open() {
            // already bound by the proxy
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            super.close();
        }

        @Override
        public void accept(int acceptorID) throws IOException {
            SocketChannel accepted = channel.accept();
            if (accepted != null) {
                accepted.configureBlocking(false);
                getSelectorManager().accept(accepted);
            }
        }
    }
}
