package dev.atoll.host.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on loopback for misbehaving peers and for counting connections: every accepted
 * connection is counted and handed to {@code handler} on its own thread.
 */
final class RawServer implements AutoCloseable {

    interface Handler {
        void handle(Socket s) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    RawServer(InetAddress bind, Handler handler) throws IOException {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(bind, 0));
        acceptor = Thread.ofPlatform().daemon(true).name("raw-server").start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    Thread.ofPlatform().daemon(true).start(() -> {
                        try (s) {
                            handler.handle(s);
                        } catch (IOException | InterruptedException e) {
                            // the peer went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return socket.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Reads up to the end of the request head (bounded). */
    static String readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while (sb.length() < 65536 && (c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
