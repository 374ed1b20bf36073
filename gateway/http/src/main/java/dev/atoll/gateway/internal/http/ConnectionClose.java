package dev.atoll.gateway.internal.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import java.util.Locale;

/**
 * RFC 9112 §9.6: when the client sends {@code Connection: close}, the server closes the connection
 * after the response. Helidon 4.5 announces {@code Connection: close} in the response but keeps the
 * connection open, so a raw HTTP/1.1 client waiting for the close hangs until its own timeout; this
 * filter closes it once the response is sent.
 */
public final class ConnectionClose {

    private ConnectionClose() {}

    /**
     * The filter, for every listener.
     *
     * @return a filter that closes the connection after the response when the request asked for it
     */
    public static Filter filter() {
        return (chain, req, res) -> {
            chain.proceed();
            if (res.isSent() && wantsClose(req.headers().all(HeaderNames.CONNECTION, java.util.List::of))) {
                // Helidon's connection loop closes the socket on this exception (the response is out).
                throw new CloseConnectionException("the client sent Connection: close");
            }
        };
    }

    static boolean wantsClose(java.util.List<String> connectionHeaders) {
        for (String value : connectionHeaders) {
            for (String token : value.split(",")) {
                if (token.trim().toLowerCase(Locale.ROOT).equals("close")) {
                    return true;
                }
            }
        }
        return false;
    }
}
