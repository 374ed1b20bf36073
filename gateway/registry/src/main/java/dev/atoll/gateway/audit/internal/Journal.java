package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.ChainHead;
import dev.atoll.gateway.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The audit journal of an embedded H2 registry ({@code <data-dir>/audit-journal.jsonl}): the call
 * writer commits each batch of call records in memory ({@link Database#inJournaledTransaction}),
 * appends the committed records here in one {@code write}, and only then answers their calls. The
 * file is in the operating system's page cache when {@code write} returns, so it survives a crash
 * of the process as H2's own file does (neither is forced to the device). About once a second the
 * writer has H2 write everything committed to its file ({@link Database#checkpoint()}) and empties
 * the journal.
 *
 * <p>Why: H2 writes a commit to its file by rewriting every page the commit touched, the table's
 * last leaf and the three indexes' last leaves with their parents, about 300 µs of CPU per commit
 * however few records it holds; at a few records per commit that was about 6 % of a busy node's CPU.
 * A journal line costs a few microseconds.
 *
 * <p>At start, before the writer takes records, {@link #replay} writes the records the journal
 * holds beyond the database's chain head, verbatim (same sequence numbers and hashes), after
 * checking that they continue the chain: each record's hash is recomputed and its previous hash
 * must be the head's. A torn last line (a crash in the middle of an append, never acknowledged) is
 * ignored. A journal that does not continue the chain is kept aside under another name, never
 * deleted. Used by the writer thread only.
 */
final class Journal implements AutoCloseable {

    static final String FILE_NAME = "audit-journal.jsonl";
    /** Longest time between checkpoints while the journal holds records. */
    static final long CHECKPOINT_EVERY_NANOS = 1_000_000_000L;
    /** A checkpoint is due earlier once the journal holds this much. */
    static final long CHECKPOINT_AT_BYTES = 8L << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());

    private final Path file;
    private @Nullable FileChannel channel;
    private long bytes;
    /** When the journal's first record since the last checkpoint was appended (System.nanoTime). */
    private long firstAppendAt;

    /**
     * A journal under {@code dataDir}; nothing is opened until {@link #replay} or the first append.
     *
     * @param dataDir the node's data directory
     */
    Journal(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    /**
     * Writes the records an earlier run journaled and H2 had not yet written to its file, then
     * checkpoints and empties the journal.
     *
     * @param db the database
     * @return how many records were written
     * @throws dev.atoll.gateway.registry.RegistryException if the database does not take them (the
     *     journal is kept for the next start)
     */
    long replay(Database db) {
        List<AuditRecord> records = read();
        if (records.isEmpty()) {
            deleteFile();
            return 0;
        }
        long written = db.inTransaction("writing the audit journal's records", c -> {
            ChainHead head = AuditStore.head(c);
            List<AuditRecord> missing = new ArrayList<>();
            String prev = head.hash();
            for (AuditRecord r : records) {
                if (r.seq() <= head.seq()) {
                    continue; // written to the file before the crash
                }
                if (r.seq() != head.seq() + missing.size() + 1 || !r.prevHash().equals(prev)) {
                    return -1L;
                }
                missing.add(r);
                prev = r.hash();
            }
            AuditStore.restore(c, missing);
            return (long) missing.size();
        });
        db.checkpoint();
        if (written < 0) {
            Path aside = file.resolveSibling("audit-journal-" + System.currentTimeMillis() + ".unreplayed.jsonl");
            try {
                Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move the audit journal " + file + " aside", e);
            }
            LOG.log(
                    Level.SEVERE,
                    "the audit journal does not continue the audit chain; its " + records.size()
                            + " records were not written and the file is kept as " + aside);
            return 0;
        }
        if (written > 0) {
            LOG.log(
                    Level.WARNING,
                    "wrote " + written + " call records from the audit journal that the database file"
                            + " did not hold yet (the previous run ended without closing the registry)");
        }
        deleteFile();
        return written;
    }

    /**
     * Appends committed records in one write (not forced: the page cache survives the process).
     *
     * @param records the records, in chain order
     * @throws UncheckedIOException if the file cannot be written (its callers must not be answered
     *     as recorded until a checkpoint has written the records to the database file)
     */
    void append(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 512);
        for (AuditRecord r : records) {
            byte[] line = line(r).getBytes(StandardCharsets.UTF_8);
            out.write(line, 0, line.length);
            out.write('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(out.toByteArray());
        try {
            FileChannel ch = channel();
            long at = bytes;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
            if (bytes == 0) {
                firstAppendAt = System.nanoTime();
            }
            bytes = at;
        } catch (IOException e) {
            closeChannel();
            throw new UncheckedIOException("cannot append to the audit journal " + file, e);
        }
    }

    /** Whether the journal holds records that may not be in the database file yet. */
    boolean isEmpty() {
        return bytes == 0;
    }

    /** How long until a checkpoint is due (0 or less: due now); only meaningful while not empty. */
    long nanosToCheckpoint(long now) {
        return bytes >= CHECKPOINT_AT_BYTES ? 0 : firstAppendAt + CHECKPOINT_EVERY_NANOS - now;
    }

    /**
     * Has H2 write everything committed to its file, then empties the journal.
     *
     * @param db the database
     * @throws dev.atoll.gateway.registry.RegistryException if the checkpoint fails (the journal is kept)
     */
    void checkpoint(Database db) {
        if (bytes == 0) {
            return;
        }
        db.checkpoint();
        try {
            channel().truncate(0);
            bytes = 0;
        } catch (IOException e) {
            closeChannel();
            throw new UncheckedIOException("cannot empty the audit journal " + file, e);
        }
    }

    /** Closes the file (after a final {@link #checkpoint}, the caller removes nothing else). */
    @Override
    public void close() {
        closeChannel();
        if (bytes == 0) {
            deleteFile();
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.truncate(bytes); // a failed write may have left a partial line past what was counted
            channel = ch;
        }
        return ch;
    }

    private void closeChannel() {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing buffered in the channel itself
            }
        }
    }

    private void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove the audit journal " + file + ": " + e.getMessage());
        }
    }

    /** The journal's records; a line that does not parse or verify ends them (a torn append). */
    List<AuditRecord> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            // Decoded leniently: a torn last line may end inside a character.
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            lines = text.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit journal " + file, e);
        }
        List<AuditRecord> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Optional<AuditRecord> r = parse(lines.get(i));
            if (r.isEmpty()) {
                if (i < lines.size() - 1) {
                    LOG.log(
                            Level.WARNING,
                            "line " + (i + 1) + " of the audit journal " + file + " is not a verifiable record;"
                                    + " it and the " + (lines.size() - i - 1) + " lines after it are ignored");
                }
                break;
            }
            out.add(r.get());
        }
        return out;
    }

    static String line(AuditRecord r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("seq", r.seq());
        n.put("atMs", r.at().toEpochMilli());
        n.put("actor", r.actor());
        n.put("tenant", r.tenant());
        n.put("action", r.action());
        n.put("tool", r.tool());
        r.version().ifPresentOrElse(v -> n.put("version", v.intValue()), () -> n.putNull("version"));
        n.put("digest", r.digest());
        n.put("outcome", r.outcome());
        n.put("detail", r.detail());
        n.put("node", r.node());
        n.put("region", r.region());
        n.put("prevHash", r.prevHash());
        n.put("hash", r.hash());
        return n.toString();
    }

    /** A journal line as a record, if it parses and its hash is the hash of its fields. */
    static Optional<AuditRecord> parse(String line) {
        JsonNode o;
        try {
            o = MAPPER.readTree(line);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (o == null || !o.isObject()) {
            return Optional.empty();
        }
        for (String f : List.of(
                "seq",
                "atMs",
                "actor",
                "tenant",
                "action",
                "tool",
                "digest",
                "outcome",
                "detail",
                "node",
                "region",
                "prevHash",
                "hash")) {
            if (!o.hasNonNull(f)) {
                return Optional.empty();
            }
        }
        Optional<Integer> version =
                o.hasNonNull("version") ? Optional.of(o.get("version").asInt()) : Optional.empty();
        AuditRecord r = new AuditRecord(
                o.get("seq").asLong(),
                AuditJson.instant(o.get("atMs").asLong()),
                o.get("actor").asText(),
                o.get("tenant").asText(),
                o.get("action").asText(),
                o.get("tool").asText(),
                version,
                o.get("digest").asText(),
                o.get("outcome").asText(),
                o.get("detail").asText(),
                o.get("prevHash").asText(),
                o.get("hash").asText(),
                o.get("node").asText(),
                o.get("region").asText());
        return AuditJson.hashOf(r).equals(r.hash()) ? Optional.of(r) : Optional.empty();
    }
}
