package dev.atoll.host.bindings.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.atoll.host.bindings.pinning.Pin;
import dev.atoll.runtime.spi.BindingCall;
import dev.atoll.runtime.spi.CallScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The shared machinery behind the fetch binding: one Jetty {@link HttpClient} that resolves only pinned
 * addresses, follows no redirects, keeps no cookies and answers no authentication challenges; a timer
 * for per-fetch deadlines; virtual threads that run the policy checks, the inspector and the exchange.
 */
public final class FetchEngine implements AutoCloseable {

    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String SCRIPT = readScript("fetch.js");
    private static final String PYTHON_SCRIPT = readScript("fetch.py");

    final FetchSettings settings;
    final HttpClient client;
    final ScheduledExecutorService timer;
    final ExecutorService workers;

    /**
     * Starts the HTTP client.
     *
     * @param settings the operator settings
     */
    public FetchEngine(FetchSettings settings) {
        this.settings = settings;
        ClientConnector connector = new ClientConnector();
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        settings.sslContext().ifPresent(tls::setSslContext);
        connector.setSslContextFactory(tls);
        connector.setConnectTimeout(settings.connectTimeout());
        QueuedThreadPool pool = new QueuedThreadPool(64, 2);
        pool.setName("atoll-fetch");
        pool.setDaemon(true);
        HttpClient c = new HttpClient(new HttpClientTransportOverHTTP(connector));
        c.setExecutor(pool);
        c.setScheduler(new ScheduledExecutorScheduler("atoll-fetch-scheduler", true));
        c.setFollowRedirects(false);
        c.setHttpCookieStore(new HttpCookieStore.Empty());
        c.setSocketAddressResolver(Pin.RESOLVER);
        c.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "Atoll-fetch"));
        c.setConnectTimeout(settings.connectTimeout().toMillis());
        c.setIdleTimeout(30_000);
        c.setMaxResponseHeadersSize(64 * 1024);
        c.setMaxRequestsQueuedPerDestination(1024);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("the fetch binding's HTTP client does not start", e);
        }
        // Redirects are followed by FetchTask (each hop re-checked); 401/407 challenges are the tool's.
        c.getProtocolHandlers().clear();
        this.client = c;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("atoll-fetch-timer").daemon(true).unstarted(r));
        this.workers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("atoll-fetch-", 0).factory());
    }

    /** The guest script of the binding. */
    public static String script() {
        return SCRIPT;
    }

    /**
     * @param scope the call
     * @return the host side of the binding for that call
     */
    public BindingCall open(CallScope scope) {
        return new FetchCall(this, scope);
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
        try {
            client.stop();
        } catch (Exception e) {
            // stopping aborts what is left; nothing else to do
        }
    }

    /** The Python guest script of the binding ({@code env.fetch}). */
    public static String pythonScript() {
        return PYTHON_SCRIPT;
    }

    private static String readScript(String file) {
        try (InputStream in = FetchEngine.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is missing from the host-bindings jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
