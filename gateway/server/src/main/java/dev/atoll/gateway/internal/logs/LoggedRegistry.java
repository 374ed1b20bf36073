package dev.atoll.gateway.internal.logs;

import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.CreatedToken;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.TokenInfo;
import dev.atoll.gateway.registry.Tokens;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.Upstreams;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Registry} that writes one {@link ServerLog} line per mutation that succeeded, whoever made
 * it (the admin API, the circuit breaker, the first-start deploy): tool deploy, approve, reject,
 * rollback, disable, enable, delete; token create and revoke; upstream add, approve and remove. Every
 * other method passes through unchanged. A dynamic proxy, so that a method added to the registry's
 * interfaces passes through without a change here; a mutation is logged after it returned, never when
 * it threw. Token plaintexts are never logged (a token is named by its id).
 */
public final class LoggedRegistry {

    private static final Logger LOG = Logger.getLogger(LoggedRegistry.class.getName());

    private LoggedRegistry() {}

    /**
     * Wraps {@code registry}.
     *
     * @param registry the registry
     * @param log where lines go
     * @return a registry that logs its mutations
     */
    public static Registry wrap(Registry registry, ServerLog log) {
        Tokens tokens = proxy(Tokens.class, registry.tokens(), (m, a, r) -> tokenEvent(log, m, a, r));
        Upstreams upstreams = proxy(Upstreams.class, registry.upstreams(), (m, a, r) -> upstreamEvent(log, m, a, r));
        return proxy(
                Registry.class,
                registry,
                (m, a, r) -> toolEvent(log, m, a, r),
                Map.of("tokens", tokens, "upstreams", upstreams));
    }

    @FunctionalInterface
    private interface AfterCall {
        void returned(String method, Object[] args, Object result);
    }

    private static <T> T proxy(Class<T> type, T target, AfterCall after) {
        return proxy(type, target, after, Map.of());
    }

    @SuppressWarnings("ReferenceEquality") // a proxy's equals is identity, as Object's
    private static <T> T proxy(Class<T> type, T target, AfterCall after, Map<String, Object> replaced) {
        InvocationHandler h = (p, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> p == args[0];
                    case "hashCode" -> System.identityHashCode(p);
                    default -> "Logged" + target;
                };
            }
            if (method.getParameterCount() == 0 && replaced.containsKey(method.getName())) {
                return replaced.get(method.getName());
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            try {
                after.returned(method.getName(), args == null ? new Object[0] : args, result);
            } catch (RuntimeException e) { // the mutation happened: a logging slip must not turn it into an error
                LOG.log(Level.WARNING, "cannot log registry call " + method.getName(), e);
            }
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static void toolEvent(ServerLog log, String method, Object[] a, Object result) {
        switch (method) {
            case "deploy" -> {
                DeployResult r = (DeployResult) result;
                log.admin(
                        "tool.deploy",
                        actor(a[1]),
                        fields(
                                "tool",
                                r.version().name(),
                                "version",
                                r.version().version(),
                                "created",
                                r.created(),
                                "digest",
                                r.version().digest()));
            }
            case "approve" -> log.admin("tool.approve", actor(a[2]), fields("tool", a[0], "version", a[1]));
            case "reject" -> log.admin("tool.reject", actor(a[2]), fields("tool", a[0], "version", a[1]));
            case "rollback" -> log.admin("tool.rollback", actor(a[2]), fields("tool", a[0], "to", a[1]));
            case "disable" -> log.admin("tool.disable", actor(a[1]), fields("tool", a[0]));
            case "enable" -> log.admin("tool.enable", actor(a[1]), fields("tool", a[0]));
            case "delete" -> log.admin("tool.delete", actor(a[1]), fields("tool", a[0]));
            default -> {}
        }
    }

    private static void tokenEvent(ServerLog log, String method, Object[] a, Object result) {
        switch (method) {
            case "create" -> {
                TokenInfo t = ((CreatedToken) result).info();
                log.admin(
                        "token.create",
                        actor(a[4]),
                        fields(
                                "token",
                                t.id(),
                                "kind",
                                t.kind().name(),
                                "tenant",
                                t.tenant(),
                                "scopes",
                                new TreeSet<>(t.scopes()).stream().toList()));
            }
            case "revoke" -> {
                TokenInfo t = (TokenInfo) result;
                log.admin(
                        "token.revoke",
                        actor(a[1]),
                        fields("token", t.id(), "kind", t.kind().name(), "tenant", t.tenant()));
            }
            default -> {}
        }
    }

    private static void upstreamEvent(ServerLog log, String method, Object[] a, Object result) {
        switch (method) {
            case "add" -> {
                UpstreamSpec s = (UpstreamSpec) a[0];
                log.admin(
                        "upstream.add",
                        actor(a[1]),
                        fields("upstream", s.name(), "kind", s.kind().id()));
            }
            case "approve" ->
                log.admin("upstream.approve", actor(a[1]), fields("upstream", ((UpstreamInfo) result).name()));
            case "remove" -> log.admin("upstream.remove", actor(a[1]), fields("upstream", a[0]));
            default -> {}
        }
    }

    private static String actor(Object a) {
        return ((Actor) a).id();
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
