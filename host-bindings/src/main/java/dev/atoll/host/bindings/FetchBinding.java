package dev.atoll.host.bindings;

import dev.atoll.host.bindings.internal.FetchEngine;
import dev.atoll.host.bindings.internal.FetchSettings;
import dev.atoll.runtime.spi.BindingCall;
import dev.atoll.runtime.spi.CallScope;
import dev.atoll.runtime.spi.HostBinding;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The {@code fetch} binding: a WHATWG-style {@code fetch(url, init)} with {@code Headers} and
 * {@code Response} in every guest, mediated by the host. Every request target and redirect hop passes
 * the {@link EgressPolicy} and is connected to the checked (pinned) address only; secret placeholders
 * become real values only for the hosts each secret is bound to; every request and response passes the
 * {@link EgressInspector}; sizes, counts and times are capped; every fetch lands in the call's receipt.
 * Runs on Jetty's HTTP client; thread-safe; one instance per node. Close it after the runtime.
 *
 * <pre>{@code
 * try (FetchBinding fetch = FetchBinding.builder().secrets(mySecrets).build();
 *      ToolRuntime runtime = ToolRuntime.builder().binding(fetch).build()) {
 *     ...
 * }
 * }</pre>
 *
 * See {@code docs/egress.md} for what the guest sees and {@code docs/configuration.md} for every
 * setting with its default.
 */
public final class FetchBinding implements HostBinding, AutoCloseable {

    private final FetchSettings settings;
    private final FetchEngine engine;

    private FetchBinding(Builder b) {
        this.settings = new FetchSettings(
                b.policy,
                b.resolver,
                b.inspector,
                b.secrets,
                b.maxRequestsPerCall,
                b.maxResponseBytes,
                b.maxResponseBytesPerCall,
                b.maxRequestBodyBytes,
                b.requestTimeout,
                b.connectTimeout,
                b.sslContext);
        this.engine = new FetchEngine(settings);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code fetch} */
    @Override
    public String name() {
        return "fetch";
    }

    /** @return the guest side: {@code fetch}, {@code Headers} and {@code Response} */
    @Override
    public String guestScript() {
        return FetchEngine.script();
    }

    /**
     * @return for JavaScript the script above; for Python one that adds {@code env.fetch(url, method=,
     *     headers=, body=, timeout=, redirect=)}, which blocks until the response and returns an object
     *     with {@code status}, {@code ok}, {@code headers}, {@code url}, {@code text()}, {@code json()}
     *     and {@code bytes()}; same host protocol, policy, secrets and receipt
     */
    @Override
    public java.util.Optional<String> guestScript(dev.atoll.runtime.Language language) {
        return switch (language) {
            case JS -> java.util.Optional.of(FetchEngine.script());
            case PYTHON -> java.util.Optional.of(FetchEngine.pythonScript());
        };
    }

    @Override
    public BindingCall open(CallScope scope) {
        return engine.open(scope);
    }

    /** @return the egress policy */
    public EgressPolicy policy() {
        return settings.policy();
    }

    /** @return fetches one call may start */
    public int maxRequestsPerCall() {
        return settings.maxRequestsPerCall();
    }

    /** @return largest response body, decompressed */
    public long maxResponseBytes() {
        return settings.maxResponseBytes();
    }

    /** @return the longest one fetch may take, redirects included */
    public Duration requestTimeout() {
        return settings.requestTimeout();
    }

    /** Stops the HTTP client, aborting whatever is still in flight. */
    @Override
    public void close() {
        engine.close();
    }

    /** Configures a {@link FetchBinding}; every setter fails fast with the offending value. */
    public static final class Builder {
        private EgressPolicy policy = EgressPolicy.defaults();
        private Resolver resolver = Resolver.system();
        private EgressInspector inspector = EgressInspector.none();
        private SecretSource secrets = SecretSource.none();
        private int maxRequestsPerCall = 50;
        private long maxResponseBytes = 8L * 1024 * 1024;
        private long maxResponseBytesPerCall = 32L * 1024 * 1024;
        private long maxRequestBodyBytes = 8L * 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Optional<SSLContext> sslContext = Optional.empty();

        private Builder() {}

        /**
         * @param policy the egress (SSRF) policy (default {@link EgressPolicy#defaults()}: https on 443 only)
         * @return this
         */
        public Builder policy(EgressPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param resolver resolves host names once per check (default {@link Resolver#system()})
         * @return this
         */
        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * @param inspector sees every request and response (default: lets everything pass)
         * @return this
         */
        public Builder inspector(EgressInspector inspector) {
            this.inspector = Objects.requireNonNull(inspector, "inspector");
            return this;
        }

        /**
         * @param secrets the operator's secret values per tool (default: none); must answer fast, it
         *     is asked on the guest thread when a call starts
         * @return this
         */
        public Builder secrets(SecretSource secrets) {
            this.secrets = Objects.requireNonNull(secrets, "secrets");
            return this;
        }

        /**
         * @param max fetches one call may start, refused ones included (default 50, 1-10 000)
         * @return this
         */
        public Builder maxRequestsPerCall(int max) {
            if (max < 1 || max > 10_000) {
                throw new HostBindingsException("maxRequestsPerCall must be 1-10000, got " + max);
            }
            this.maxRequestsPerCall = max;
            return this;
        }

        /**
         * @param bytes largest response body after decompression (default 8 MiB, 1 KiB-1 GiB); a larger
         *     one is cut off and the fetch rejects
         * @return this
         */
        public Builder maxResponseBytes(long bytes) {
            this.maxResponseBytes = bytes("maxResponseBytes", bytes);
            return this;
        }

        /**
         * @param bytes decompressed response bytes one call may receive over all its fetches (default
         *     32 MiB, 1 KiB-1 GiB)
         * @return this
         */
        public Builder maxResponseBytesPerCall(long bytes) {
            this.maxResponseBytesPerCall = bytes("maxResponseBytesPerCall", bytes);
            return this;
        }

        /**
         * @param bytes largest request body (default 8 MiB, 1 KiB-1 GiB)
         * @return this
         */
        public Builder maxRequestBodyBytes(long bytes) {
            this.maxRequestBodyBytes = bytes("maxRequestBodyBytes", bytes);
            return this;
        }

        /**
         * @param timeout longest one fetch may take, resolution, redirects and body included (default
         *     30 s, 1 ms-10 min); a guest's {@code timeout} option can only shorten it, and the call's
         *     wall deadline always bounds it
         * @return this
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = duration("requestTimeout", timeout);
            return this;
        }

        /**
         * @param timeout longest a connect (TCP and TLS) may take (default 10 s, 1 ms-10 min)
         * @return this
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = duration("connectTimeout", timeout);
            return this;
        }

        /**
         * @param context TLS context whose trust managers verify servers (default: the JDK's trust
         *     store); host names are always verified
         * @return this
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Optional.of(Objects.requireNonNull(context, "sslContext"));
            return this;
        }

        /** @return the binding, with its HTTP client started */
        public FetchBinding build() {
            return new FetchBinding(this);
        }

        private static long bytes(String name, long bytes) {
            if (bytes < 1024 || bytes > 1L << 30) {
                throw new HostBindingsException(name + " must be 1 KiB-1 GiB, got " + bytes);
            }
            return bytes;
        }

        private static Duration duration(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new HostBindingsException(name + " must be 1 ms-10 min, got " + d);
            }
            return d;
        }
    }
}
