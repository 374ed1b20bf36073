package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The audit spool: an append-only file of call records ({@code <data-dir>/audit-spool.jsonl}) that
 * the call writer fills while the database does not take them, one {@code fsync} per batch before
 * the batch's callers are answered. Every spooled record's detail carries the spool's id and the
 * record's number in it ({@code "spool":"<uuid>","spoolSeq":n}), so a drain interrupted between the
 * database's commit and the spool's removal skips what is already stored (exactly once).
 *
 * <p>One line per record, printable ASCII JSON. A torn last line (a crash in the middle of an
 * append, never acknowledged) is ignored on reading. Used by the writer thread only.
 */
final class Spool {

    static final String FILE_NAME = "audit-spool.jsonl";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());

    private final Path file;
    private final long maxBytes;
    /** Open from the first append until the spool is cleared or closed or a write fails; null otherwise. */
    private @Nullable FileChannel channel;

    private String id;
    private long count;
    private long bytes;
    private long firstAtMs;

    /**
     * Opens the spool under {@code dataDir}, reading what a previous run left.
     *
     * @param dataDir the node's data directory
     * @param maxBytes the largest the file may grow (0: spooling is off)
     */
    Spool(Path dataDir, long maxBytes) {
        this.file = dataDir.resolve(FILE_NAME);
        this.maxBytes = maxBytes;
        List<Spooled> left = readAll();
        this.count = left.isEmpty() ? 0 : left.getLast().n();
        this.id =
                left.isEmpty() ? UUID.randomUUID().toString() : left.getFirst().spoolId();
        this.firstAtMs = left.stream().mapToLong(r -> r.entry().atMs()).min().orElse(0);
        try {
            this.bytes = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool " + file, e);
        }
        if (count > 0) {
            LOG.log(
                    Level.WARNING,
                    "the audit spool " + file + " holds " + count
                            + " call records of an earlier run; they are written to the database first");
        }
    }

    /**
     * A spooled record: the spool it is in, its number there, the entry to append, and, for a
     * record of a batch whose database commit was in doubt (sent, but no outcome came back), the
     * detail it had in that commit, so a drain can look it up before writing the batch again.
     */
    record Spooled(String spoolId, long n, AuditEntry entry, Optional<String> inDoubtDetail) {}

    boolean enabled() {
        return maxBytes > 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    long count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    String id() {
        return id;
    }

    /**
     * The earliest time of the first batch spooled: a lower bound (within the minute the spool
     * allows for) of every record's {@code at_ms}, for looking up a drain's progress by index.
     */
    long firstAtMs() {
        return firstAtMs;
    }

    /**
     * Appends records and forces them to disk.
     *
     * @param entries the records, in order
     * @return false (nothing written) if they do not fit under the size limit
     * @throws UncheckedIOException if the file cannot be written (nothing is acknowledged then)
     */
    boolean append(List<AuditEntry> entries) {
        return append(entries, false);
    }

    /**
     * Appends records and forces them to disk, marking them as a batch whose database commit was
     * in doubt when {@code inDoubt} (the commit was sent and no outcome came back: it may be
     * stored).
     *
     * @param entries the records, in order
     * @param inDoubt whether the database may already hold them
     * @return false (nothing written) if they do not fit under the size limit
     * @throws UncheckedIOException if the file cannot be written (nothing is acknowledged then)
     */
    boolean append(List<AuditEntry> entries, boolean inDoubt) {
        StringBuilder sb = new StringBuilder();
        long n = count;
        for (AuditEntry e : entries) {
            n++;
            sb.append(line(id, n, e, inDoubt)).append('\n');
        }
        byte[] data = sb.toString().getBytes(StandardCharsets.US_ASCII);
        if (!enabled() || bytes + data.length > maxBytes) {
            return false;
        }
        try {
            if (channel == null) {
                channel = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                if (bytes == 0) {
                    forceDirectory(); // the new file's directory entry, so the file itself survives a crash
                }
            }
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            // A partial line may be left; it is the last one and is ignored on reading, but later
            // appends would follow it: start a fresh line so they still parse.
            closeChannel();
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                c.write(ByteBuffer.wrap(new byte[] {'\n'}));
                bytes = c.size();
            } catch (IOException ignored) {
                // the disk fails; the caller falls back to failing the calls
            }
            throw new UncheckedIOException("cannot write the audit spool " + file, e);
        }
        if (count == 0) {
            firstAtMs = entries.stream().mapToLong(AuditEntry::atMs).min().orElse(0);
        }
        bytes += data.length;
        count = n;
        return true;
    }

    /**
     * Every record in the spool, in order.
     *
     * @return the records
     */
    List<Spooled> readAll() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Spooled> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (l.isBlank()) {
                    continue;
                }
                try {
                    out.add(parse(l));
                } catch (IOException | RuntimeException e) {
                    LOG.log(
                            Level.WARNING,
                            "skipping a torn line of the audit spool " + file
                                    + " (a crash during an append that was never acknowledged)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool " + file, e);
        }
        return out;
    }

    /** Removes the spool (everything in it is stored); the next append starts a new one. */
    void clear() {
        closeChannel();
        try {
            Files.deleteIfExists(file);
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the audit spool " + file, e);
        }
        id = UUID.randomUUID().toString();
        count = 0;
        bytes = 0;
        firstAtMs = 0;
    }

    void close() {
        closeChannel();
    }

    /**
     * The number of the last record of spool {@code spoolId} in a detail, if it is one.
     *
     * @param detail a stored detail
     * @return its {@code spoolSeq}
     */
    static Optional<Long> spoolSeq(String detail) {
        JsonNode d = AuditJson.parseDetail(detail);
        return d.path("spoolSeq").canConvertToLong()
                ? Optional.of(d.path("spoolSeq").asLong())
                : Optional.empty();
    }

    private static String line(String id, long n, AuditEntry e, boolean inDoubt) {
        ObjectNode detail = (ObjectNode) AuditJson.parseDetail(e.detail()).deepCopy();
        detail.put("spool", id);
        detail.put("spoolSeq", n);
        ObjectNode o = MAPPER.createObjectNode();
        o.put("spool", id);
        o.put("n", n);
        o.put("atMs", e.atMs());
        o.put("actor", e.actor());
        o.put("tenant", e.tenant());
        o.put("action", e.action());
        o.put("tool", e.tool());
        e.version().ifPresent(v -> o.put("version", v));
        o.put("digest", e.digest());
        o.put("outcome", e.outcome());
        o.put("detail", AuditJson.detail(detail));
        if (inDoubt) {
            o.put("inDoubtDetail", e.detail());
        }
        return AuditJson.detail(o);
    }

    private static Spooled parse(String l) throws IOException {
        JsonNode o = MAPPER.readTree(l);
        for (String f :
                List.of("spool", "n", "atMs", "actor", "tenant", "action", "tool", "digest", "outcome", "detail")) {
            if (!o.hasNonNull(f)) {
                throw new IOException("missing " + f);
            }
        }
        Optional<Integer> version =
                o.hasNonNull("version") ? Optional.of(o.get("version").asInt()) : Optional.empty();
        return new Spooled(
                o.get("spool").asText(),
                o.get("n").asLong(),
                new AuditEntry(
                        o.get("atMs").asLong(),
                        o.get("actor").asText(),
                        o.get("tenant").asText(),
                        o.get("action").asText(),
                        o.get("tool").asText(),
                        version,
                        o.get("digest").asText(),
                        o.get("outcome").asText(),
                        o.get("detail").asText()),
                o.hasNonNull("inDoubtDetail")
                        ? Optional.of(o.get("inDoubtDetail").asText())
                        : Optional.empty());
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing buffered: every append was forced
            }
            channel = null;
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system lets a directory be opened and forced
        }
    }
}
