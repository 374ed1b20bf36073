package dev.atoll.host.bindings;

import dev.atoll.host.bindings.EgressDecision.Allowed;
import dev.atoll.host.bindings.EgressDecision.Denied;
import dev.atoll.host.bindings.internal.Cidr;
import dev.atoll.host.bindings.internal.HostNames;
import dev.atoll.host.bindings.internal.IpLiteral;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's egress policy for the {@code fetch} binding: deny by default, only hosts in the
 * tool's {@code egress} list, {@code https} unless {@code http} is allowed, no private addresses.
 * Thread-safe and immutable. See {@code docs/egress.md} for the order of the checks.
 *
 * <pre>{@code
 * EgressPolicy policy = EgressPolicy.builder().denyHost("metadata.example.com").build();
 * switch (policy.check(uri, tool.egress(), Resolver.system())) {
 *     case EgressDecision.Allowed a -> connect(a.pinnedAddress(), a.uri());
 *     case EgressDecision.Denied d -> fail(d.message());
 * }
 * }</pre>
 */
public final class EgressPolicy {

    private final boolean allowHttp;
    private final Set<Integer> httpsPorts;
    private final Set<Integer> httpPorts;
    private final List<Host> deniedHosts;
    private final List<Cidr> allowedAddresses;
    private final int maxRedirects;

    private EgressPolicy(Builder b) {
        this.allowHttp = b.allowHttp;
        this.httpsPorts = Set.copyOf(b.httpsPorts);
        this.httpPorts = Set.copyOf(b.httpPorts);
        this.deniedHosts = List.copyOf(b.deniedHosts);
        this.allowedAddresses = List.copyOf(b.allowedAddresses);
        this.maxRedirects = b.maxRedirects;
    }

    /**
     * The defaults: https only on port 443, no deny list, no allowlisted addresses, 5 redirects.
     *
     * @return the default policy
     */
    public static EgressPolicy defaults() {
        return builder().build();
    }

    /**
     * @return a builder holding the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks one request target given as text (what a guest passes to {@code fetch}).
     *
     * @param target the URL
     * @param toolEgress the tool's {@code egress} entries ({@code host} or {@code host:port})
     * @param resolver resolves the host once
     * @return the decision; {@link DenyReason#MALFORMED_URL} if {@code target} is no URI
     * @throws HostBindingsException if an egress entry is invalid (see {@link #validateEgressEntry})
     */
    public EgressDecision check(String target, List<String> toolEgress, Resolver resolver) {
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            return deny(DenyReason.MALFORMED_URL, "not a valid URL: " + e.getMessage());
        }
        return check(uri, toolEgress, resolver);
    }

    /**
     * Checks one request target: scheme, host syntax, deny list, IP literals, the tool's egress list,
     * port, then every resolved address. Resolves at most once and pins the first address.
     *
     * @param target the URL
     * @param toolEgress the tool's {@code egress} entries ({@code host} or {@code host:port})
     * @param resolver resolves the host once; not called for IP literals
     * @return the decision
     * @throws HostBindingsException if an egress entry is invalid (see {@link #validateEgressEntry})
     */
    public EgressDecision check(URI target, List<String> toolEgress, Resolver resolver) {
        List<Host> egress = new ArrayList<>(toolEgress.size());
        for (String e : toolEgress) {
            egress.add(parseEgressEntry(e));
        }
        if (target.getScheme() == null) {
            return deny(DenyReason.MALFORMED_URL, "not an absolute URL: '" + target + "'");
        }
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return deny(DenyReason.UNSUPPORTED_SCHEME, "scheme '" + scheme + "' is not allowed; use https");
        }
        if (target.isOpaque() || target.getRawAuthority() == null) {
            return deny(DenyReason.MALFORMED_URL, "no host in '" + target + "'");
        }
        boolean https = scheme.equals("https");
        if (!https && !allowHttp) {
            return deny(
                    DenyReason.HTTP_NOT_ALLOWED, "http is not allowed by the operator; use https: '" + target + "'");
        }
        // Userinfo is stripped: everything up to the last '@' is dropped, the host is what follows.
        String authority = target.getRawAuthority();
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        String rawHost;
        int explicitPort = -1;
        int close = hostPort.startsWith("[") ? hostPort.indexOf(']') : -1;
        int colon = close >= 0 ? (hostPort.length() > close + 1 ? close + 1 : -1) : hostPort.lastIndexOf(':');
        if (hostPort.startsWith("[") && close < 0) {
            return deny(DenyReason.INVALID_HOST, "unterminated IPv6 literal: '" + hostPort + "'");
        }
        if (colon >= 0) {
            if (hostPort.charAt(colon) != ':') {
                return deny(DenyReason.MALFORMED_URL, "unexpected text after the host: '" + hostPort + "'");
            }
            explicitPort = parsePort(hostPort.substring(colon + 1));
            if (explicitPort < 0) {
                return deny(DenyReason.MALFORMED_URL, "invalid port in '" + hostPort + "'");
            }
            rawHost = hostPort.substring(0, colon);
        } else {
            rawHost = hostPort;
        }
        int port = explicitPort >= 0 ? explicitPort : https ? 443 : 80;

        Optional<Host> parsed = parseHost(rawHost);
        if (parsed.isEmpty()) {
            return deny(
                    DenyReason.INVALID_HOST,
                    "host '" + rawHost + "' is neither LDH labels "
                            + "(letters, digits, hyphens; IDNs in xn-- form) nor a valid IP literal");
        }
        Host host = parsed.get();
        for (Host d : deniedHosts) {
            if (d.sameHost(host)) {
                return deny(DenyReason.OPERATOR_DENIED, "host '" + host.text() + "' is on the operator's deny list");
            }
        }
        if (host.address().isPresent() && !operatorAllows(host.address().get())) {
            return deny(
                    DenyReason.IP_LITERAL,
                    "IP literal '" + rawHost + "' (" + host.text()
                            + ") is not allowed; use a host name from the tool's egress list");
        }
        boolean listed = false;
        for (Host e : egress) {
            listed |= e.sameHost(host) && (e.port() < 0 || e.port() == port);
        }
        if (!listed) {
            return deny(
                    DenyReason.NOT_IN_EGRESS,
                    "'" + host.text() + ":" + port + "' is not in the tool's egress list " + toolEgress);
        }
        Set<Integer> ports = https ? httpsPorts : httpPorts;
        if (!ports.contains(port)) {
            return deny(
                    DenyReason.PORT_NOT_ALLOWED,
                    "port " + port + " is not allowed for " + scheme + " by the operator (allowed: "
                            + new TreeSet<>(ports) + ")");
        }

        InetAddress pinned;
        if (host.address().isPresent()) {
            pinned = host.address().get();
        } else {
            List<InetAddress> answers;
            try {
                answers = resolver.resolve(host.text());
            } catch (UnknownHostException e) {
                return deny(DenyReason.UNRESOLVABLE, "host '" + host.text() + "' does not resolve: " + e.getMessage());
            }
            if (answers == null || answers.isEmpty()) {
                return deny(DenyReason.UNRESOLVABLE, "host '" + host.text() + "' has no address");
            }
            for (InetAddress a : answers) {
                AddressClass c = AddressClass.of(a);
                if (!c.isPublic() && !operatorAllows(a)) {
                    return deny(
                            DenyReason.NON_PUBLIC_ADDRESS,
                            "host '" + host.text() + "' resolves to "
                                    + a.getHostAddress() + ", a "
                                    + c.name().toLowerCase(Locale.ROOT).replace('_', '-')
                                    + " address");
                }
            }
            try {
                pinned =
                        InetAddress.getByAddress(host.text(), answers.getFirst().getAddress());
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        String uriHost = host.address().map(EgressPolicy::uriHost).orElse(host.text());
        StringBuilder sb = new StringBuilder(scheme).append("://").append(uriHost);
        if (explicitPort >= 0) {
            sb.append(':').append(explicitPort);
        }
        sb.append(target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath());
        if (target.getRawQuery() != null) {
            sb.append('?').append(target.getRawQuery());
        }
        return new Allowed(URI.create(sb.toString()), new InetSocketAddress(pinned, port));
    }

    /**
     * Checks a redirect: the {@code Location} is resolved against the URL that answered, the hop is
     * counted against {@link #maxRedirects()}, then the target gets exactly the checks of
     * {@link #check(URI, List, Resolver)}, with a fresh resolution.
     *
     * @param from the URL that answered with a redirect (as returned in {@link Allowed#uri()})
     * @param location the {@code Location} header
     * @param redirectsSoFar redirects already followed for this fetch (0 for the first)
     * @param toolEgress the tool's {@code egress} entries
     * @param resolver resolves the new host once
     * @return the decision for the new target
     */
    public EgressDecision checkRedirect(
            URI from, String location, int redirectsSoFar, List<String> toolEgress, Resolver resolver) {
        if (redirectsSoFar >= maxRedirects) {
            return deny(DenyReason.TOO_MANY_REDIRECTS, "more than " + maxRedirects + " redirects");
        }
        URI next;
        try {
            next = from.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return deny(DenyReason.MALFORMED_URL, "invalid redirect location '" + location + "'");
        }
        return check(next, toolEgress, resolver);
    }

    /**
     * Validates one entry of a tool's {@code egress} list: an LDH host name (any case) or a dotted-quad
     * / bracketed IPv6 address, optionally followed by {@code :port}. No wildcards.
     *
     * @param entry the entry
     * @throws HostBindingsException naming the entry if it is invalid
     */
    public static void validateEgressEntry(String entry) {
        parseEgressEntry(entry);
    }

    /**
     * @return whether {@code http} URLs are allowed at all
     */
    public boolean allowHttp() {
        return allowHttp;
    }

    /**
     * @return the ports allowed for {@code https}
     */
    public Set<Integer> httpsPorts() {
        return httpsPorts;
    }

    /**
     * @return the ports allowed for {@code http}, when {@link #allowHttp()}
     */
    public Set<Integer> httpPorts() {
        return httpPorts;
    }

    /**
     * @return the operator's denied hosts, normalized
     */
    public List<String> deniedHosts() {
        return deniedHosts.stream().map(Host::text).toList();
    }

    /**
     * @return the operator's allowlisted networks, as {@code address/prefix}
     */
    public List<String> allowedAddresses() {
        return allowedAddresses.stream().map(Cidr::toString).toList();
    }

    /**
     * @return the maximum number of redirects one fetch may follow
     */
    public int maxRedirects() {
        return maxRedirects;
    }

    @Override
    public String toString() {
        return "EgressPolicy[allowHttp=" + allowHttp + ", httpsPorts=" + new TreeSet<>(httpsPorts) + ", httpPorts="
                + new TreeSet<>(httpPorts) + ", deniedHosts=" + deniedHosts() + ", allowedAddresses="
                + allowedAddresses() + ", maxRedirects=" + maxRedirects + "]";
    }

    private boolean operatorAllows(InetAddress a) {
        for (Cidr c : allowedAddresses) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static Denied deny(DenyReason reason, String message) {
        return new Denied(reason, message);
    }

    /** 1 to 5 ASCII digits, 1 to 65535; -1 otherwise. */
    private static int parsePort(String p) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int v = Integer.parseInt(p);
        return v >= 1 && v <= 65535 ? v : -1;
    }

    private static String uriHost(InetAddress a) {
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }

    /**
     * A URL host: printable ASCII only (checked before lowercasing, so no Unicode case folding into
     * ASCII), then a bracketed IPv6 literal, an inet_aton IPv4 literal, or LDH labels with at most one
     * trailing dot; a name that ends in a number but is no valid literal is refused.
     */
    private static Optional<Host> parseHost(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return Optional.empty();
            }
        }
        String h = raw.toLowerCase(Locale.ROOT);
        Optional<InetAddress> literal = IpLiteral.parse(h);
        if (literal.isPresent()) {
            return Optional.of(new Host(uriHost(literal.get()), literal, -1));
        }
        if (h.startsWith("[") || IpLiteral.endsInNumber(h)) {
            return Optional.empty();
        }
        String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        return HostNames.isLdh(name) ? Optional.of(new Host(name, Optional.empty(), -1)) : Optional.empty();
    }

    private static Host parseEgressEntry(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) <= 0x20 || text.charAt(i) >= 0x7f) {
                throw new HostBindingsException(
                        "egress entry '" + text + "' must be printable ASCII " + "(write IDNs in their xn-- form)");
            }
        }
        String entry = text.toLowerCase(Locale.ROOT);
        String hostPart = entry;
        int port = -1;
        int close = entry.startsWith("[") ? entry.indexOf(']') : -1;
        int colon = close >= 0 ? (entry.length() > close + 1 ? close + 1 : -1) : entry.lastIndexOf(':');
        if (colon >= 0) {
            port = entry.charAt(colon) == ':' ? parsePort(entry.substring(colon + 1)) : -1;
            if (port < 0) {
                throw new HostBindingsException("egress entry '" + text + "' has an invalid port");
            }
            hostPart = entry.substring(0, colon);
        }
        if (HostNames.isLdh(hostPart) && !IpLiteral.endsInNumber(hostPart)) {
            return new Host(hostPart, Optional.empty(), port);
        }
        Optional<Cidr> exact = Cidr.parse(hostPart).filter(c -> c.prefix() == c.network().length * 8);
        boolean canonicalForm = hostPart.startsWith("[") || hostPart.indexOf(':') < 0;
        if (exact.isPresent() && canonicalForm) {
            InetAddress a = IpLiteral.parse(hostPart).orElseThrow();
            return new Host(uriHost(a), Optional.of(a), port);
        }
        throw new HostBindingsException("egress entry '" + text + "' must be a host name (letters, "
                + "digits, hyphens; no wildcards) or a dotted-quad / bracketed IPv6 address, optionally with :port");
    }

    /** A parsed host: a name, or an address with its canonical text; a port or -1. */
    private record Host(String text, Optional<InetAddress> address, int port) {
        boolean sameHost(Host o) {
            return address.isPresent()
                    ? o.address.isPresent()
                            && address.get().equals(o.address.get())
                            && address.get().getClass() == o.address.get().getClass()
                    : text.equals(o.text);
        }
    }

    /** Builds an {@link EgressPolicy}; every setter fails fast naming the offending value. */
    public static final class Builder {
        private boolean allowHttp;
        private Set<Integer> httpsPorts = Set.of(443);
        private Set<Integer> httpPorts = Set.of(80);
        private final List<Host> deniedHosts = new ArrayList<>();
        private final List<Cidr> allowedAddresses = new ArrayList<>();
        private int maxRedirects = 5;

        private Builder() {}

        /**
         * @param allow whether {@code http} URLs are allowed (default false)
         * @return this builder
         */
        public Builder allowHttp(boolean allow) {
            this.allowHttp = allow;
            return this;
        }

        /**
         * @param ports the ports allowed for {@code https} (default 443); at least one, each 1 to 65535
         * @return this builder
         */
        public Builder httpsPorts(int... ports) {
            this.httpsPorts = ports("httpsPorts", ports);
            return this;
        }

        /**
         * @param ports the ports allowed for {@code http} when allowed (default 80); at least one, each
         *     1 to 65535
         * @return this builder
         */
        public Builder httpPorts(int... ports) {
            this.httpPorts = ports("httpPorts", ports);
            return this;
        }

        /**
         * Adds a host the tools may never reach, whatever their egress list says.
         *
         * @param host a host name (matched exactly, case-insensitively) or an IP address
         * @return this builder
         */
        public Builder denyHost(String host) {
            Optional<Host> h = parseHost(host);
            if (h.isEmpty()) {
                throw new HostBindingsException("denyHost: '" + host + "' is not a host name or IP address");
            }
            deniedHosts.add(h.get());
            return this;
        }

        /**
         * Allowlists an address or network that tools may reach although it is an IP literal or not
         * public (for example {@code 127.0.0.1} for tests). The host must still be in the tool's egress
         * list. IPv4 networks do not match IPv4-mapped IPv6 addresses.
         *
         * @param cidr {@code a.b.c.d}, {@code a.b.c.d/n}, an IPv6 address or {@code addr/n}, host
         *     bits zero
         * @return this builder
         */
        public Builder allowAddress(String cidr) {
            Optional<String> problem = Cidr.problem(cidr);
            if (problem.isPresent()) {
                throw new HostBindingsException("allowAddress: " + problem.get());
            }
            allowedAddresses.add(Cidr.parse(cidr).orElseThrow());
            return this;
        }

        /**
         * @param max the redirects one fetch may follow (default 5), at least 0
         * @return this builder
         */
        public Builder maxRedirects(int max) {
            if (max < 0) {
                throw new HostBindingsException("maxRedirects must be at least 0: " + max);
            }
            this.maxRedirects = max;
            return this;
        }

        /**
         * @return the policy
         */
        public EgressPolicy build() {
            return new EgressPolicy(this);
        }

        private static Set<Integer> ports(String what, int... ports) {
            if (ports.length == 0) {
                throw new HostBindingsException(what + " must not be empty");
            }
            Set<Integer> out = new LinkedHashSet<>();
            for (int p : ports) {
                if (p < 1 || p > 65535) {
                    throw new HostBindingsException(what + ": port must be 1 to 65535: " + p);
                }
                out.add(p);
            }
            return out;
        }
    }
}
