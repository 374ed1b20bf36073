package dev.atoll.gateway.internal.tail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Writes one subscription as a {@code text/event-stream}: one SSE event per tail event (its
 * {@link TailEvent#type()} as the event name), a comment every heartbeat (which also finds a gone
 * client), and when the bus dropped the subscriber a last {@code dropped} event saying so.
 */
public final class TailStream {

    private static final Duration SLICE = Duration.ofMillis(500);

    private TailStream() {}

    /**
     * Streams until the client goes, the subscriber is dropped, or {@code stop} turns true.
     *
     * @param sub the subscription (closed on return)
     * @param out the response body
     * @param render an event's SSE data (newlines become separate {@code data:} lines)
     * @param heartbeat time between keep-alive comments
     * @param stop true once the gateway closes
     * @return how many events were written
     */
    public static long stream(
            TailBus.Subscription sub,
            OutputStream out,
            Function<TailEvent, String> render,
            Duration heartbeat,
            BooleanSupplier stop) {
        long written = 0;
        try (sub) {
            write(out, ": atoll live tail\n\n");
            // Waits in short slices so that a closing gateway ends the stream promptly.
            Duration slice = heartbeat.compareTo(SLICE) < 0 ? heartbeat : SLICE;
            long lastWrite = System.nanoTime();
            while (!stop.getAsBoolean()) {
                Optional<TailEvent> e = sub.next(slice);
                if (e.isPresent()) {
                    write(out, frame(e.get().type(), render.apply(e.get())));
                    written++;
                    lastWrite = System.nanoTime();
                } else if (sub.overflowed()) {
                    write(
                            out,
                            frame(
                                    "dropped",
                                    "{\"type\":\"dropped\",\"message\":\"this subscriber fell more than "
                                            + sub.capacity()
                                            + " events behind and was dropped so that calls are never slowed;"
                                            + " reconnect to resume\"}"));
                    return written;
                } else if (System.nanoTime() - lastWrite >= heartbeat.toNanos()) {
                    write(out, ": ping\n\n");
                    lastWrite = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        }
        return written;
    }

    /** One SSE event. */
    static String frame(String event, String data) {
        StringBuilder b = new StringBuilder(data.length() + 32)
                .append("event: ")
                .append(event)
                .append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        return b.append('\n').toString();
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
