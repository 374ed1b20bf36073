package dev.atoll.host.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Issue #17: a request the egress policy refuses to loopback is recorded in the receipt with the
 * policy's reason, never as {@code failed} (which is kept for network failures). Default policy: no
 * operator-allowed addresses, the system resolver.
 */
class LoopbackReceiptTest {

    @Test
    void aRequestRefusedToLoopbackIsRecordedWithThePolicysReason() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", x -> {
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        try (FetchBinding fetch = FetchBinding.builder()
                        .policy(EgressPolicy.builder()
                                .allowHttp(true)
                                .httpPorts(port)
                                .build())
                        .build();
                ToolRuntime runtime = ToolRuntime.builder().binding(fetch).build()) {
            CallResult r = runtime.run(ToolSource.js("t.mjs", """
                    export const tool = { name: "t", description: "d", inputSchema: { type: "object" },
                      egress: ["localhost:%d", "127.0.0.1:%d"] };
                    export default async function () {
                      const out = [];
                      for (const u of ["http://localhost:%d/", "http://127.0.0.1:%d/"]) {
                        try { await fetch(u); out.push("sent"); } catch (e) { out.push(e.message); }
                      }
                      return out;
                    }
                    """.formatted(port, port, port, port)), "{}");
            assertTrue(r.ok(), r.toJson().toString());
            assertEquals(
                    java.util.List.of("non_public_address", "ip_literal"),
                    r.receipt().egress().stream().map(EgressRecord::result).toList(),
                    r.toJson().toString());
        } finally {
            server.stop(0);
        }
    }
}
