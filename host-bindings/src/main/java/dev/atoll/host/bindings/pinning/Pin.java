package dev.atoll.host.bindings.pinning;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * The checked address a request must connect to, carried as the Jetty request's tag. Jetty keys its
 * destinations (and so its connection pools) by scheme, host, port <em>and tag</em>, so a connection
 * is only ever reused for the same checked address; the host name still goes into {@code Host}, SNI and
 * certificate checks.
 *
 * <p>Exported only to the modules that connect to checked addresses with their own Jetty client (the
 * upstream egress proxy), so that there is one resolver that never looks a name up.
 *
 * @param address the pinned address from {@code EgressDecision.Allowed}
 */
public record Pin(InetSocketAddress address) {

    /**
     * The client's only resolver: answers with the destination's pinned address and never looks a name
     * up, so the JDK resolver is never asked again after the egress policy checked the answer.
     */
    public static final SocketAddressResolver RESOLVER = new SocketAddressResolver() {
        @Override
        public void resolve(
                String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
            if (context.get(Destination.CONTEXT_KEY) instanceof Destination d
                    && d.getOrigin().getTag() instanceof Pin pin
                    && pin.address().getPort() == port) {
                promise.succeeded(List.of(pin.address()));
            } else {
                promise.failed(new java.net.UnknownHostException("no checked address for " + host
                        + ": Atoll connects only to addresses its egress policy checked"));
            }
        }
    };
}
