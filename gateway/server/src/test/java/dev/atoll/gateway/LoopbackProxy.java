package dev.atoll.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test support: a TCP forwarder on a loopback port to a real server (PostgreSQL), which a test can
 * take down and bring back. {@link #down()} resets every forwarded connection and closes the
 * listening socket, so the client sees what it sees when the database server stops: its open
 * connections break and new ones are refused. {@link #up()} listens on the same port again.
 * {@link #pause()} holds every byte instead (a database that stopped answering), {@link #resume()}
 * lets them through.
 */
final class LoopbackProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile int port;
    private final Object pauseLock = new Object();
    private boolean paused;

    private LoopbackProxy(InetSocketAddress target) {
        this.target = target;
    }

    /**
     * Starts forwarding from a free loopback port to the target.
     *
     * @param host the target host
     * @param port the target port
     * @return the running proxy
     * @throws IOException if no port can be bound
     */
    static LoopbackProxy start(String host, int port) throws IOException {
        LoopbackProxy p = new LoopbackProxy(new InetSocketAddress(host, port));
        p.listen(0);
        return p;
    }

    /** The loopback port clients connect to (the same after {@link #up()}). */
    int port() {
        return port;
    }

    /** Breaks every forwarded connection and stops listening: new connections are refused. */
    synchronized void down() throws IOException {
        ServerSocket l = listener;
        listener = null;
        if (l != null) {
            l.close();
        }
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0); // RST, as a stopped server's kernel would answer
            } catch (IOException ignored) {
                // already closed
            }
            s.close();
        }
        open.clear();
    }

    /**
     * Stops forwarding bytes without closing anything, as a network that drops packets (or a
     * server that hangs): reads wait, connections stay open, new ones are accepted and hang too.
     */
    void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    /** Forwards again what was held and what follows. */
    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    private void awaitResumed() throws InterruptedException {
        synchronized (pauseLock) {
            while (paused) {
                pauseLock.wait();
            }
        }
    }

    /** Listens on the same port again. */
    synchronized void up() throws IOException {
        if (listener == null) {
            listen(port);
        }
    }

    private void listen(int at) throws IOException {
        ServerSocket l = new ServerSocket();
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), at));
        port = l.getLocalPort();
        listener = l;
        Thread.ofPlatform().daemon().name("loopback-proxy-accept").start(() -> accept(l));
    }

    private void accept(ServerSocket l) {
        while (!l.isClosed()) {
            Socket client;
            try {
                client = l.accept();
            } catch (IOException e) {
                return; // closed by down() or close()
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            open.add(client);
            open.add(server);
            if (listener != l) { // down() ran meanwhile
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            pump(client, server);
            pump(server, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("loopback-proxy-pump").start(() -> {
            byte[] buf = new byte[16 << 10];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    awaitResumed();
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // one side closed or reset
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        resume();
        down();
    }
}
