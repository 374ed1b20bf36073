package dev.atoll.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.EnumNamingStrategies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.EnumNaming;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.atoll.gateway.dlp.Action;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.Severity;
import dev.atoll.gateway.registry.SandboxKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's configuration: the bundled defaults ({@code defaults.yaml}) with an operator's YAML
 * file merged over them. Unknown keys are errors that name the key. Every key and its default is in
 * {@code docs/configuration.md}.
 *
 * @param dataDir where the registry database, tokens and audit log live
 * @param mcp the MCP listener
 * @param oauth optional OAuth 2.1 resource-server mode on the MCP listener
 * @param admin the admin listener
 * @param http caps shared by both listeners
 * @param fetch the fetch binding's egress policy and caps
 * @param secrets secret values per tool: tool name to secret name to value ({@code env:VAR} reads an
 *     environment variable, {@code file:PATH} a file; anything else is the value itself)
 * @param dlp secret and PII scanning of arguments, results and egress
 * @param examples which bundled tools to deploy on first start
 * @param pool isolate pool sizing and admission
 * @param runtime guest runtime settings
 * @param metrics the Prometheus endpoint on the admin listener
 * @param upstreams upstream MCP servers: launchers, lifecycle and default limits
 * @param audit what calls do when the audit store fails, and the audit chain's checkpoints
 * @param registry the registry database (tools, tokens, audit log): embedded H2 or PostgreSQL
 * @param node this node's identity in a fleet (docs/fleet.md)
 * @param fleet how this node keeps in step with the fleet: heartbeats, change propagation
 * @param log the server log: format and whether calls are logged
 * @param tail the live tail ({@code GET /v1/tail}, {@code atoll tail})
 * @param ui the admin web UI at {@code /ui} on the admin listener
 */
public record GatewayConfig(
        Path dataDir,
        Mcp mcp,
        OAuth oauth,
        Admin admin,
        Http http,
        Fetch fetch,
        Map<String, Map<String, String>> secrets,
        Dlp dlp,
        Examples examples,
        Pool pool,
        Runtime runtime,
        Metrics metrics,
        Upstreams upstreams,
        Audit audit,
        RegistryStore registry,
        Node node,
        Fleet fleet,
        Log log,
        Tail tail,
        Ui ui) {

    /** Rejects nulls. */
    public GatewayConfig {
        Objects.requireNonNull(dataDir, "data-dir");
        Objects.requireNonNull(mcp, "mcp");
        Objects.requireNonNull(oauth, "oauth");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(fetch, "fetch");
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        Objects.requireNonNull(dlp, "dlp");
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(tail, "tail");
        Objects.requireNonNull(ui, "ui");
    }

    /**
     * How a node keeps in step with the other nodes of its fleet (docs/fleet.md).
     *
     * @param heartbeatMs how often the node writes its row in {@code fleet_node} (1000-60000)
     * @param staleAfterMs a node without a heartbeat for longer is flagged stale (at least 2 heartbeats,
     *     up to 600000)
     * @param notifications on PostgreSQL, take other nodes' changes from {@code LISTEN/NOTIFY} at once;
     *     false: the {@code catalogue-refresh-ms} poll alone
     * @param catalogueRefreshMs how often the catalogue revision is compared with the database's: the
     *     fallback when a notification is lost (0-600000; 0 checks on every read)
     * @param tokenCacheTtlMs how long an authenticated token is cached: the bound on a revocation whose
     *     notification is lost (0-600000; 0: no cache)
     */
    public record Fleet(
            long heartbeatMs, long staleAfterMs, boolean notifications, long catalogueRefreshMs, long tokenCacheTtlMs) {
        /** Range checks. */
        public Fleet {
            if (heartbeatMs < 1000 || heartbeatMs > 60_000) {
                throw new IllegalArgumentException("fleet.heartbeat-ms must be 1000-60000, got " + heartbeatMs);
            }
            if (staleAfterMs < 2 * heartbeatMs || staleAfterMs > 600_000) {
                throw new IllegalArgumentException("fleet.stale-after-ms must be at least twice fleet.heartbeat-ms ("
                        + 2 * heartbeatMs + ") and at most 600000, got " + staleAfterMs);
            }
            if (catalogueRefreshMs < 0 || catalogueRefreshMs > 600_000) {
                throw new IllegalArgumentException(
                        "fleet.catalogue-refresh-ms must be 0-600000, got " + catalogueRefreshMs);
            }
            if (tokenCacheTtlMs < 0 || tokenCacheTtlMs > 600_000) {
                throw new IllegalArgumentException("fleet.token-cache-ttl-ms must be 0-600000, got " + tokenCacheTtlMs);
            }
        }
    }

    /**
     * The live tail (docs/ui.md).
     *
     * @param queueEvents events one subscriber may fall behind by before it is dropped (1-100000)
     * @param maxSubscribers most tail streams open at once, API and UI together (1-1000)
     * @param consoleChars most characters of a call's console output one event carries (0-65536)
     * @param recentCalls finished calls kept for the UI's receipt page (1-100000)
     * @param heartbeatMs time between keep-alive comments on an idle stream (100-600000)
     */
    public record Tail(int queueEvents, int maxSubscribers, int consoleChars, int recentCalls, long heartbeatMs) {
        /** Validates. */
        public Tail {
            range("tail.queue-events", queueEvents, 1, 100_000);
            range("tail.max-subscribers", maxSubscribers, 1, 1000);
            range("tail.console-chars", consoleChars, 0, 65_536);
            range("tail.recent-calls", recentCalls, 1, 100_000);
            range("tail.heartbeat-ms", heartbeatMs, 100, 600_000);
        }
    }

    /**
     * The admin web UI (docs/ui.md).
     *
     * @param enabled serve {@code /ui} on the admin listener
     * @param sessionIdleMs a signed-in session ends after this long unused (60000-86400000)
     * @param maxSessions most signed-in sessions kept; the least recently used goes first (1-10000)
     */
    public record Ui(boolean enabled, long sessionIdleMs, int maxSessions) {
        /** Validates. */
        public Ui {
            range("ui.session-idle-ms", sessionIdleMs, 60_000, 86_400_000);
            range("ui.max-sessions", maxSessions, 1, 10_000);
        }
    }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + "-" + max + ", got " + value);
        }
    }

    /**
     * This node's identity in a fleet of gateways sharing one registry database.
     *
     * @param id the node's name, unique in the fleet: 1-64 of {@code [A-Za-z0-9._-]}, starting with a
     *     letter or digit; empty means the host name (made to fit those rules), see {@link #effectiveId()}
     * @param region the node's region (for tool placement): 1-32 of {@code [a-z0-9-]}, starting with a
     *     letter
     */
    public record Node(String id, String region, String adminUrl) {
        private static final java.util.regex.Pattern ID =
                java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");

        /** Validates the names and the advertised admin URL. */
        public Node {
            id = id == null ? "" : id;
            region = region == null ? "" : region;
            adminUrl = adminUrl == null ? "" : adminUrl;
            if (!adminUrl.isEmpty()) {
                java.net.URI u;
                try {
                    u = new java.net.URI(adminUrl);
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("node.admin-url is not a URL: '" + adminUrl + "'");
                }
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                        || u.getHost() == null
                        || u.getRawUserInfo() != null
                        || u.getRawQuery() != null
                        || u.getRawFragment() != null
                        || !(u.getRawPath() == null
                                || u.getRawPath().isEmpty()
                                || u.getRawPath().equals("/"))) {
                    throw new IllegalArgumentException("node.admin-url must be http(s)://HOST[:PORT] (where the other"
                            + " nodes reach this node's admin API; empty: derived from admin.host and the port), got '"
                            + adminUrl + "'");
                }
            }
            if (!id.isEmpty() && !ID.matcher(id).matches()) {
                throw new IllegalArgumentException(
                        "node.id must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or "
                                + "digit (or empty for the host name), got '" + id + "'");
            }
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException(
                        "node.region must be 1-32 of a-z 0-9 - starting with a letter, got '" + region + "'");
            }
        }

        /**
         * A node with the admin URL derived from the admin listener.
         *
         * @param id the node id (empty: the host name)
         * @param region the region
         */
        public Node(String id, String region) {
            this(id, region, "");
        }

        /**
         * The node's id: {@link #id()}, or when that is empty this machine's host name with every
         * character outside {@code [A-Za-z0-9._-]} replaced by {@code -} (or {@code node} when the
         * host name is unknown).
         *
         * @return a valid node id
         */
        public String effectiveId() {
            if (!id.isEmpty()) {
                return id;
            }
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "";
            }
            String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
            cleaned = cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
            return cleaned.isEmpty() ? "node" : cleaned;
        }
    }

    /**
     * The MCP listener.
     *
     * @param host bind address
     * @param port port (0 = any free port)
     * @param path endpoint path
     * @param requireAuth require a bearer token; may be false only on a loopback listener (local
     *     development, the conformance suite), where every request then acts as tenant "anonymous"
     * @param allowedHosts extra Host names accepted besides loopback names on a loopback listener
     * @param allowedOrigins extra Origins accepted
     * @param pageSize tools per tools/list page
     * @param sessionIdleMs idle time before a legacy session is forgotten
     * @param maxSessions most legacy sessions kept
     * @param maxStreams most open notification streams
     * @param listTtlMs ttlMs on 2026-07-28 list results
     * @param toolSearch the optional {@code retrieve_tools} tool
     */
    public record Mcp(
            String host,
            int port,
            String path,
            boolean requireAuth,
            List<String> allowedHosts,
            List<String> allowedOrigins,
            int pageSize,
            long sessionIdleMs,
            int maxSessions,
            int maxStreams,
            long listTtlMs,
            ToolSearch toolSearch) {}

    /**
     * The {@code retrieve_tools} tool: BM25 search over the tools a caller may call (docs/gateway.md).
     *
     * @param enabled list and serve it (default false)
     * @param defaultResults tools returned when a call gives no {@code limit}
     * @param maxResults the largest {@code limit} a call may ask for
     */
    public record ToolSearch(boolean enabled, int defaultResults, int maxResults) {
        /** Checks the bounds. */
        public ToolSearch {
            if (maxResults < 1 || maxResults > 100) {
                throw new IllegalArgumentException(
                        "mcp.tool-search.max-results must be within 1..100, got " + maxResults);
            }
            if (defaultResults < 1 || defaultResults > maxResults) {
                throw new IllegalArgumentException("mcp.tool-search.default-results must be within 1..max-results ("
                        + maxResults + "), got " + defaultResults);
            }
        }
    }

    /**
     * OAuth 2.1 resource-server mode: JWT access tokens from an authorization server are accepted on
     * the MCP listener besides Atoll's own tokens, and RFC 9728 metadata is served at
     * {@code /.well-known/oauth-protected-resource}.
     *
     * @param enabled turn the mode on
     * @param issuer required {@code iss} of tokens
     * @param audience required {@code aud}: this server's resource URL (empty = the MCP endpoint URL)
     * @param jwksFile JWK set (JSON) with the issuer's public keys
     * @param authorizationServers advertised in the metadata (empty = the issuer)
     * @param tenantClaim claim naming the tenant
     * @param scopePrefix scope values {@code PREFIX*} or {@code PREFIXname} grant all tools or one
     * @param algorithms accepted JWS algorithms
     * @param clockSkewMs tolerated clock skew for {@code exp}/{@code nbf}
     */
    public record OAuth(
            boolean enabled,
            String issuer,
            String audience,
            String jwksFile,
            List<String> authorizationServers,
            String tenantClaim,
            String scopePrefix,
            List<String> algorithms,
            long clockSkewMs) {}

    /**
     * The admin listener.
     *
     * @param host bind address
     * @param port port (0 = any free port)
     */
    public record Admin(String host, int port) {}

    /**
     * HTTP caps.
     *
     * @param maxPayloadBytes largest request body
     * @param maxJsonDepth deepest JSON nesting
     * @param maxHeaderBytes largest request header block
     * @param maxConcurrentRequests requests handled at once per listener
     * @param maxTcpConnections open connections per listener
     * @param idleConnectionTimeoutMs idle keep-alive connections are closed after this
     * @param shutdownGraceMs how long in-flight calls may finish on shutdown
     * @param drainDelayMs on SIGTERM, how long the node keeps taking calls while {@code /readyz}
     *     already answers 503, so load balancers stop sending before the listener closes
     */
    public record Http(
            long maxPayloadBytes,
            int maxJsonDepth,
            int maxHeaderBytes,
            int maxConcurrentRequests,
            int maxTcpConnections,
            long idleConnectionTimeoutMs,
            long shutdownGraceMs,
            long drainDelayMs) {
        /** Range checks. */
        public Http {
            if (drainDelayMs < 0 || drainDelayMs > 600_000) {
                throw new IllegalArgumentException("http.drain-delay-ms must be 0-600000, got " + drainDelayMs);
            }
        }
    }

    /**
     * The fetch binding (see docs/egress.md): egress policy and caps.
     *
     * @param allowHttp allow plain http (to the http ports)
     * @param httpsPorts ports allowed for https
     * @param httpPorts ports allowed for http
     * @param denyHosts hosts no tool may reach, whatever its egress list says
     * @param allowAddresses addresses or CIDRs reachable although not public
     * @param maxRedirects redirects one fetch may follow
     * @param maxRequestsPerCall fetches one call may start
     * @param maxResponseBytes largest response body after decompression
     * @param maxResponseBytesPerCall response bytes per call over all fetches
     * @param maxRequestBodyBytes largest request body
     * @param requestTimeoutMs longest one fetch may take
     * @param connectTimeoutMs longest a connect may take
     */
    public record Fetch(
            boolean allowHttp,
            List<Integer> httpsPorts,
            List<Integer> httpPorts,
            List<String> denyHosts,
            List<String> allowAddresses,
            int maxRedirects,
            int maxRequestsPerCall,
            long maxResponseBytes,
            long maxResponseBytesPerCall,
            long maxRequestBodyBytes,
            long requestTimeoutMs,
            long connectTimeoutMs) {}

    /**
     * DLP (see docs/dlp.md): default actions are block secrets inbound and in egress, redact secrets
     * and PII outbound.
     *
     * @param enabled scan at all
     * @param builtinRules load the built-in rule pack
     * @param rulePacks operators' rule pack files (JSON)
     * @param disabledRules rule ids turned off everywhere
     * @param hashKey base64 HMAC key for value hashes in findings (empty = random per start)
     * @param onIncomplete {@code block} or {@code log} a payload whose scan reached a limit
     * @param defaults the action per direction ({@code inbound}, {@code outbound},
     *     {@code egress-request}, {@code egress-response}) and category ({@code secret}, {@code pii})
     * @param overrides per tenant, tool, direction, category, rule or severity, tried in order
     * @param limits bounds of one scan
     */
    public record Dlp(
            boolean enabled,
            boolean builtinRules,
            List<String> rulePacks,
            List<String> disabledRules,
            String hashKey,
            Action onIncomplete,
            Map<Direction, Map<Category, Action>> defaults,
            List<DlpOverride> overrides,
            DlpLimits limits) {

        /** Copies the collections and rejects nulls. */
        public Dlp {
            rulePacks = List.copyOf(rulePacks);
            disabledRules = List.copyOf(disabledRules);
            Objects.requireNonNull(hashKey, "dlp.hash-key");
            Objects.requireNonNull(onIncomplete, "dlp.on-incomplete");
            Map<Direction, Map<Category, Action>> byDirection = new java.util.EnumMap<>(Direction.class);
            defaults.forEach((direction, byCategory) -> byDirection.put(direction, Map.copyOf(byCategory)));
            defaults = java.util.Collections.unmodifiableMap(byDirection);
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            Objects.requireNonNull(limits, "dlp.limits");
        }
    }

    /**
     * One DLP override: every selector that is set must match for {@code action} to apply.
     *
     * @param action {@code block}, {@code redact} or {@code log}
     * @param tenant the tenant id, or empty for any
     * @param tool the tool name, or empty for any
     * @param directions directions, or empty for all
     * @param categories {@code secret} and/or {@code pii}, or empty for both
     * @param rules rule ids, or empty for all
     * @param minSeverity the lowest severity it applies to ({@code low} … {@code critical})
     */
    public record DlpOverride(
            Action action,
            String tenant,
            String tool,
            List<Direction> directions,
            List<Category> categories,
            List<String> rules,
            Severity minSeverity) {

        /** Treats a missing selector as "any". */
        public DlpOverride {
            Objects.requireNonNull(action, "action");
            tenant = tenant == null ? "" : tenant;
            tool = tool == null ? "" : tool;
            directions = directions == null ? List.of() : List.copyOf(directions);
            categories = categories == null ? List.of() : List.copyOf(categories);
            rules = rules == null ? List.of() : List.copyOf(rules);
            minSeverity = minSeverity == null ? Severity.LOW : minSeverity;
        }
    }

    /**
     * Bounds of one DLP scan (see {@code dev.atoll.gateway.dlp.ScanLimits}).
     *
     * @param maxJsonDepth deeper JSON is not scanned (the scan is incomplete)
     * @param maxDecodeDepth layers of encoding decoded inside each other (0 = no decoding)
     * @param maxScanChars characters scanned per payload
     * @param maxDecodedChars characters of decoded layers scanned per payload
     * @param maxFindings findings listed per payload
     */
    public record DlpLimits(
            int maxJsonDepth, int maxDecodeDepth, long maxScanChars, long maxDecodedChars, int maxFindings) {}

    /**
     * Bundled tools.
     *
     * @param deploy deploy and approve the example tools when the registry is empty
     * @param conformance also deploy the MCP conformance suite's fixture tools
     */
    public record Examples(boolean deploy, boolean conformance) {}

    /**
     * Isolate pool settings (see the pool section of docs/configuration.md).
     *
     * @param minWarmPerTool warm contexts kept per tool even when idle
     * @param maxWarmPerTool most warm contexts per tool
     * @param maxWarmTotal most warm contexts overall
     * @param toolConcurrency concurrent calls per tool
     * @param globalConcurrency concurrent calls overall
     * @param queueCapacity calls waiting for a slot
     * @param queueDeadlineMs longest wait for a slot before load_shed
     * @param idleShrinkAfterMs an idle tool's warm contexts are closed after this
     * @param replenishThreads platform threads creating warm contexts
     * @param toolShare share of the guest threads one tool version holds while others want them
     * @param tenantShare share of the guest threads one tenant holds while others want them
     * @param reserveShare share of the guest threads kept for calls within their shares
     */
    public record Pool(
            int minWarmPerTool,
            int maxWarmPerTool,
            int maxWarmTotal,
            int toolConcurrency,
            int globalConcurrency,
            int queueCapacity,
            long queueDeadlineMs,
            long idleShrinkAfterMs,
            int replenishThreads,
            double toolShare,
            double tenantShare,
            double reserveShare) {}

    /**
     * Guest runtime settings.
     *
     * @param guestThreads platform threads running guest code (0 = 4 per core, at least 8)
     * @param jitWarmUpMs run a warm-up workload for this long at start (0 = none)
     * @param abandonBudget most guest threads written off at once (0 = number of cores, at least 2)
     * @param suspendAfterLimitStreak a tool version whose calls end this many times in a row past a
     *     CPU, memory or wall limit is suspended (0 = never); one call that does not stop when
     *     cancelled suspends it at once
     * @param maxStringMb the longest string a JavaScript guest may create, in MiB of UTF-16 (1-1024)
     */
    @SuppressWarnings("AvoidCommonTypeNames") // the config's "runtime" section, always written GatewayConfig.Runtime
    public record Runtime(
            int guestThreads, long jitWarmUpMs, int abandonBudget, int suspendAfterLimitStreak, int maxStringMb) {
        /** Range checks. */
        public Runtime {
            if (maxStringMb < 1 || maxStringMb > 1024) {
                throw new IllegalArgumentException("runtime.max-string-mb must be 1-1024, got " + maxStringMb);
            }
        }
    }

    /**
     * The audit log's policy (docs/registry.md, "Durability" and "Checkpoints").
     *
     * @param failOpen answer calls whose audit record could not be stored (counted in
     *     {@code atoll_audit_calls_unrecorded_total}) instead of failing them; default false
     * @param checkpointIntervalMs how often a signed checkpoint of the chain head is appended to
     *     {@code <data-dir>/audit-checkpoints.jsonl} when the head moved (0: never)
     */
    public record Audit(boolean failOpen, long checkpointIntervalMs) {
        /** Range checks. */
        public Audit {
            if (checkpointIntervalMs < 0 || checkpointIntervalMs > 86_400_000L) {
                throw new IllegalArgumentException(
                        "audit.checkpoint-interval-ms must be 0-86400000, got " + checkpointIntervalMs);
            }
        }
    }

    /**
     * The registry database (docs/registry.md, "Storage" and "Durability").
     *
     * @param jdbcUrl {@code jdbc:postgresql://...} or {@code jdbc:h2:...}; empty: the embedded H2
     *     database {@code <data-dir>/registry.mv.db}
     * @param user database user; empty: none (or the URL's)
     * @param password database password: the value, {@code env:VAR} or {@code file:PATH}; empty: none
     *     (or the URL's). Never logged.
     * @param connectionTimeoutMs longest wait for a database connection (250-600000); also how long
     *     the audit writer's attempt takes to fail while the database is unreachable
     * @param adminTimeoutMs longest wait of an admin mutation for a database connection (100-600000;
     *     at most {@code connectionTimeoutMs} is used): the first one that meets an outage answers 503
     *     after this
     * @param startTimeoutMs how long a node started while its PostgreSQL database is unreachable keeps
     *     retrying before it gives up (0: fail at once)
     * @param auditSpoolMaxBytes largest size of {@code <data-dir>/audit-spool.jsonl}, where call records
     *     wait (fsync'd) while the database does not take them; 0: no spool, calls are refused then
     */
    public record RegistryStore(
            String jdbcUrl,
            String user,
            String password,
            long connectionTimeoutMs,
            long adminTimeoutMs,
            long startTimeoutMs,
            long auditSpoolMaxBytes) {
        /** Checks the values. */
        public RegistryStore {
            Objects.requireNonNull(jdbcUrl, "registry.jdbc-url");
            Objects.requireNonNull(user, "registry.user");
            Objects.requireNonNull(password, "registry.password");
            if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "registry.jdbc-url must be empty, jdbc:postgresql:... or jdbc:h2:..., got '"
                                + jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***") + "'");
            }
            if (startTimeoutMs < 0 || startTimeoutMs > 86_400_000) {
                throw new IllegalArgumentException(
                        "registry.start-timeout-ms must be 0-86400000, got " + startTimeoutMs);
            }
            if (auditSpoolMaxBytes < 0
                    || auditSpoolMaxBytes > dev.atoll.gateway.registry.RegistryConfig.MAX_AUDIT_SPOOL_BYTES) {
                throw new IllegalArgumentException("registry.audit-spool-max-bytes must be 0-"
                        + dev.atoll.gateway.registry.RegistryConfig.MAX_AUDIT_SPOOL_BYTES + ", got "
                        + auditSpoolMaxBytes);
            }
            if (adminTimeoutMs < 100 || adminTimeoutMs > 600_000) {
                throw new IllegalArgumentException(
                        "registry.admin-timeout-ms must be 100-600000, got " + adminTimeoutMs);
            }
            if (connectionTimeoutMs < 250 || connectionTimeoutMs > 600_000) {
                throw new IllegalArgumentException(
                        "registry.connection-timeout-ms must be 250-600000, got " + connectionTimeoutMs);
            }
        }

        /**
         * The registry's configuration: this database, or the embedded one under {@code dataDir}.
         * Reads an {@code env:} or {@code file:} password reference now.
         *
         * @param dataDir the gateway's data directory
         * @return the registry configuration
         * @throws GatewayException naming the key whose value is unusable
         */
        public dev.atoll.gateway.registry.RegistryConfig toRegistryConfig(Path dataDir) {
            return builder(dataDir, defaults().fleet(), "").build();
        }

        /**
         * The registry's configuration for a gateway node of a fleet: {@link #toRegistryConfig(Path)} with
         * the fleet's propagation settings, the node's id in the connections' {@code application_name},
         * and the node and its region on every audit record it appends.
         *
         * @param dataDir the gateway's data directory
         * @param fleet the fleet settings
         * @param node the node's identity
         * @return the registry configuration
         * @throws GatewayException naming the key whose value is unusable
         */
        public dev.atoll.gateway.registry.RegistryConfig toRegistryConfig(Path dataDir, Fleet fleet, Node node) {
            return builder(dataDir, fleet, node.effectiveId())
                    .node(node.effectiveId(), node.region())
                    .build();
        }

        private dev.atoll.gateway.registry.RegistryConfig.Builder builder(Path dataDir, Fleet fleet, String nodeId) {
            var b = dev.atoll.gateway.registry.RegistryConfig.builder()
                    .dataDir(dataDir)
                    .connectionTimeout(java.time.Duration.ofMillis(connectionTimeoutMs))
                    .adminTimeout(java.time.Duration.ofMillis(adminTimeoutMs))
                    .auditSpoolMaxBytes(auditSpoolMaxBytes)
                    .notifications(fleet.notifications())
                    .catalogueRefresh(java.time.Duration.ofMillis(fleet.catalogueRefreshMs()))
                    .tokenCacheTtl(java.time.Duration.ofMillis(fleet.tokenCacheTtlMs()))
                    .applicationName(
                            nodeId.isEmpty()
                                    ? "atoll"
                                    : "atoll/" + (nodeId.length() > 42 ? nodeId.substring(0, 42) : nodeId));
            if (!jdbcUrl.isEmpty()) {
                b.jdbcUrl(jdbcUrl);
            }
            if (!user.isEmpty()) {
                b.user(user);
            }
            if (password.startsWith("env:")) {
                String value = System.getenv(password.substring(4));
                if (value == null) {
                    throw new GatewayException(
                            "registry.password: environment variable " + password.substring(4) + " is not set");
                }
                b.password(value);
            } else if (password.startsWith("file:")) {
                try {
                    b.password(Files.readString(Path.of(password.substring(5))).strip());
                } catch (IOException e) {
                    throw new GatewayException("registry.password: cannot read " + password.substring(5));
                }
            } else if (!password.isEmpty()) {
                b.password(password);
            }
            return b;
        }

        /** Like the record's, with the password and any password in the URL masked. */
        @Override
        public String toString() {
            return "RegistryStore[jdbcUrl=" + jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***") + ", user=" + user
                    + ", password=" + (password.isEmpty() ? "" : "***") + ", connectionTimeoutMs="
                    + connectionTimeoutMs + ", adminTimeoutMs=" + adminTimeoutMs + "]";
        }
    }

    /**
     * Metrics (Micrometer, Prometheus text format at the admin listener's {@code /metrics}).
     *
     * @param enabled collect and serve metrics
     * @param requireAuth a scrape needs an admin bearer token
     * @param jvm also export JVM and process meters (memory, GC, threads, CPU, uptime)
     * @param maxTools distinct {@code tool} label values; later tools are reported as {@code other}
     * @param maxTenants distinct {@code tenant} label values; later tenants are reported as {@code other}
     * @param maxUpstreams distinct {@code upstream} label values; later upstreams are reported as {@code other}
     */
    public record Metrics(
            boolean enabled, boolean requireAuth, boolean jvm, int maxTools, int maxTenants, int maxUpstreams) {

        /** Rejects caps below 1 or above 10 000, naming the key. */
        public Metrics {
            cap("metrics.max-tools", maxTools);
            cap("metrics.max-tenants", maxTenants);
            cap("metrics.max-upstreams", maxUpstreams);
        }

        private static void cap(String key, int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException(key + " must be 1-10000, got " + value);
            }
        }
    }

    /**
     * The server log (java.util.logging on stderr): admin mutations, upstream state changes and,
     * optionally, one line per call (docs/gateway.md#logs).
     *
     * @param format {@code text} (one human-readable line per event) or {@code json} (one JSON object
     *     per line, for log shippers); applied by {@code atoll serve}
     * @param calls also log one line per {@code tools/call}
     */
    public record Log(LogFormat format, boolean calls) {

        /** Rejects a missing format. */
        public Log {
            Objects.requireNonNull(format, "log.format");
        }

        /** The format (the same as {@link #format()}). */
        public LogFormat logFormat() {
            return format;
        }
    }

    /**
     * Upstream MCP servers (docs/upstreams.md).
     *
     * @param launchers sandbox kinds that may run upstreams ({@code bubblewrap}, {@code docker})
     * @param startQuarantined start quarantined upstreams too, to list their tools for review
     * @param startTimeoutMs longest wait for a server's {@code initialize} and first {@code tools/list}
     * @param callTimeoutMs longest wait for a {@code tools/call} answer
     * @param healthIntervalMs time between {@code ping} health checks
     * @param healthTimeoutMs longest wait for a {@code ping} answer before the server is restarted
     * @param restartBackoffMinMs first delay before restarting a crashed server (doubles per failure)
     * @param restartBackoffMaxMs largest delay between restarts
     * @param maxLifetimeMs recycle (stop and start) a server after this long; 0 = never
     * @param stopGraceMs how long a server gets to exit after its stdin closes before it is killed
     * @param maxLineBytes longest JSON-RPC line accepted from a server (longer: the server is stopped)
     * @param maxCallNotificationBytes most bytes of log and progress notifications one call keeps (more are dropped)
     * @param maxTools most tools accepted from one server
     * @param logLines stderr lines kept per upstream for {@code atoll upstream logs}
     * @param memoryBytes default memory limit per server
     * @param cpus default CPU limit per server (Docker only)
     * @param pids default process/thread limit per server
     * @param dockerHost the container engine's address for {@code docker} upstreams ({@code unix:///path}
     *     or {@code tcp://host:port}; Podman's Docker-compatible socket works too)
     */
    public record Upstreams(
            List<SandboxKind> launchers,
            boolean startQuarantined,
            long startTimeoutMs,
            long callTimeoutMs,
            long healthIntervalMs,
            long healthTimeoutMs,
            long restartBackoffMinMs,
            long restartBackoffMaxMs,
            long maxLifetimeMs,
            long stopGraceMs,
            int maxLineBytes,
            long maxCallNotificationBytes,
            int maxTools,
            int logLines,
            long memoryBytes,
            double cpus,
            int pids,
            String dockerHost) {

        /** Checks the values. */
        public Upstreams {
            if (dockerHost == null || !(dockerHost.startsWith("unix:///") || dockerHost.startsWith("tcp://"))) {
                throw new IllegalArgumentException(
                        "upstreams.docker-host must be unix:///path or tcp://host:port, was '" + dockerHost + "'");
            }
            launchers = List.copyOf(launchers);
            if (startTimeoutMs < 100 || callTimeoutMs < 100 || healthIntervalMs < 100 || healthTimeoutMs < 10) {
                throw new IllegalArgumentException("upstreams: timeouts and intervals must be at least 100 ms");
            }
            if (restartBackoffMinMs < 1 || restartBackoffMaxMs < restartBackoffMinMs) {
                throw new IllegalArgumentException(
                        "upstreams.restart-backoff-max-ms must be at least " + "restart-backoff-min-ms (>= 1)");
            }
            if (maxLifetimeMs < 0 || stopGraceMs < 0 || maxLineBytes < 1024 || maxTools < 1 || logLines < 1) {
                throw new IllegalArgumentException("upstreams: max-lifetime-ms and stop-grace-ms must be >= 0, "
                        + "max-line-bytes >= 1024, max-tools and log-lines >= 1");
            }
            if (maxCallNotificationBytes < 1024) {
                throw new IllegalArgumentException(
                        "upstreams.max-call-notification-bytes must be at least 1024, was " + maxCallNotificationBytes);
            }
            new dev.atoll.gateway.registry.UpstreamLimits(memoryBytes, cpus, pids);
        }

        /** The default limits as a value. */
        public dev.atoll.gateway.registry.UpstreamLimits limits() {
            return new dev.atoll.gateway.registry.UpstreamLimits(memoryBytes, cpus, pids);
        }
    }

    /** Config enums are written as their lower-case, dash-separated names ({@code egress-request}). */
    @EnumNaming(EnumNamingStrategies.KebabCaseStrategy.class)
    private interface KebabEnum {}

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addMixIn(Action.class, KebabEnum.class)
            .addMixIn(Direction.class, KebabEnum.class)
            .addMixIn(Category.class, KebabEnum.class)
            .addMixIn(Severity.class, KebabEnum.class)
            .addMixIn(LogFormat.class, KebabEnum.class)
            .addMixIn(SandboxKind.class, KebabEnum.class)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    /** The bundled defaults. */
    public static GatewayConfig defaults() {
        return from(defaultTree());
    }

    /**
     * Loads a YAML file merged over the defaults.
     *
     * @param file the file
     * @return the configuration
     * @throws GatewayException naming the file and the offending key
     */
    public static GatewayConfig load(Path file) {
        JsonNode overlay;
        try {
            overlay = YAML.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new GatewayException("config file not found: " + file);
        } catch (IOException e) {
            throw new GatewayException("cannot read config " + file + ": " + firstLine(e.getMessage()));
        }
        if (overlay == null || overlay.isMissingNode() || overlay.isNull()) {
            return defaults();
        }
        if (!overlay.isObject()) {
            throw new GatewayException("config " + file + " must be a YAML mapping");
        }
        return from(merge(defaultTree(), overlay, ""));
    }

    /**
     * Applies overrides given as dotted keys ({@code mcp.port}) with YAML scalar values.
     *
     * @param overrides key to value
     * @return a new configuration
     */
    public GatewayConfig with(Map<String, String> overrides) {
        ObjectNode tree = YAML.valueToTree(this);
        overrides.forEach((key, value) -> set(tree, key, value));
        return from(tree);
    }

    /** Sets one dotted key ({@code mcp.port}) of {@code tree} to a YAML scalar; unknown keys fail. */
    private static void set(ObjectNode tree, String key, String value) {
        String[] parts = key.split("\\.");
        ObjectNode at = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            if (!(at.get(parts[i]) instanceof ObjectNode child)) {
                throw new GatewayException("unknown config key '" + key + "'");
            }
            at = child;
        }
        String leaf = parts[parts.length - 1];
        if (!at.has(leaf)) {
            throw new GatewayException("unknown config key '" + key + "'");
        }
        try {
            at.set(leaf, YAML.readTree(value));
        } catch (IOException ex) {
            throw new GatewayException("bad value for " + key + ": " + firstLine(ex.getMessage()));
        }
    }

    /** Prefix of system properties that replace a bundled default ({@code -Datoll.default.KEY=VALUE}). */
    static final String DEFAULT_PROPERTY_PREFIX = "atoll.default.";

    /**
     * The bundled defaults, each replaced by a system property {@code atoll.default.KEY} when set
     * (the test suite sets {@code atoll.default.runtime.jit-warm-up-ms=0}: a test gateway needs no
     * JIT warm-up). A file and {@link #with} still override these.
     */
    private static ObjectNode defaultTree() {
        ObjectNode tree;
        try (InputStream in = GatewayConfig.class.getResourceAsStream("defaults.yaml")) {
            tree = (ObjectNode) YAML.readTree(Objects.requireNonNull(in, "defaults.yaml"));
        } catch (IOException e) {
            throw new GatewayException("bundled defaults.yaml is unreadable: " + e.getMessage());
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(DEFAULT_PROPERTY_PREFIX)) {
                set(tree, name.substring(DEFAULT_PROPERTY_PREFIX.length()), System.getProperty(name));
            }
        }
        return tree;
    }

    private static JsonNode merge(ObjectNode base, JsonNode overlay, String prefix) {
        for (var it = overlay.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String key = prefix + e.getKey();
            JsonNode existing = base.get(e.getKey());
            if (existing == null) {
                throw new GatewayException("unknown config key '" + key + "'");
            }
            if (existing.isObject() && existing.isEmpty()) {
                // A free-form map (secrets: tool -> name -> value) has no keys to check against the
                // defaults: it is taken as written and checked where it is read.
                base.set(e.getKey(), e.getValue());
            } else if (existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, e.getValue(), key + ".");
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
        return base;
    }

    private static GatewayConfig from(JsonNode tree) {
        // List entries get no defaults from defaults.yaml: a missing optional selector of a DLP
        // override is filled in here (as null, read as "any"), so only unknown keys are errors.
        if (tree.path("dlp").path("overrides") instanceof com.fasterxml.jackson.databind.node.ArrayNode list) {
            List<String> keys =
                    List.of("action", "tenant", "tool", "directions", "categories", "rules", "min-severity");
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof ObjectNode o) {
                    String at = "dlp.overrides[" + i + "]";
                    o.fieldNames().forEachRemaining(k -> {
                        if (!keys.contains(k)) {
                            throw new GatewayException("unknown config key '" + at + "." + k + "'");
                        }
                    });
                    if (!o.hasNonNull("action")) {
                        throw new GatewayException(at + ".action is required (block, redact or log)");
                    }
                    keys.forEach(k -> {
                        if (!o.has(k)) {
                            o.putNull(k);
                        }
                    });
                }
            }
        }
        try {
            return YAML.treeToValue(tree, GatewayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new GatewayException("unknown config key '" + e.getPropertyName() + "'");
        } catch (InvalidFormatException e) {
            if (e.getTargetType() != null && e.getTargetType().isEnum()) {
                throw new GatewayException(key(e) + ": '" + e.getValue() + "' is not one of "
                        + java.util.Arrays.stream(e.getTargetType().getEnumConstants())
                                .map(c -> ((Enum<?>) c)
                                        .name()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .replace('_', '-'))
                                .toList());
            }
            throw new GatewayException("invalid config at " + key(e) + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException | IllegalArgumentException e) {
            throw new GatewayException("invalid config: " + firstLine(e.getMessage()));
        }
    }

    /** The dotted key ({@code dlp.overrides[0].action}) a mapping error is about. */
    private static String key(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                key.append(key.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                key.append('[').append(r.getIndex()).append(']');
            }
        }
        return key.toString();
    }

    private static String firstLine(@Nullable String s) { // an exception's message may be null
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
